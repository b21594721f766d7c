"""Request and response bodies of community's API."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt

from interlude.community.domain.events import MaterialKind, PostKind, SpaceKind
from interlude.community.domain.post import MAX_BODY
from interlude.shared.kit import ID_PATTERN, RequestBody
from interlude.shared.text import MultiLine, SingleLine

# free text (interlude.shared.text): refused with a 422 naming the field when the read side
# could not store it (NUL, other control characters, lone surrogates)
Body = Annotated[str, MultiLine(MAX_BODY)]
Pseudonym = Annotated[str, SingleLine(64, min_length=0)]
Note = Annotated[str, MultiLine(1000)]


class SpaceCreate(RequestBody):
    kind: SpaceKind = "cohort"
    name: Annotated[str, SingleLine(120)] = Field(
        description='the shared challenge, e.g. "Saying no without burning bridges"')
    description: Annotated[str, MultiLine(2000, min_length=0)] = ""
    pseudonymous: StrictBool = Field(default=True, description="members appear to peers only "
                                     "by pseudonym (within what community.pseudonyms allows)")
    # a peer circle's: what it is about, by which coaches of the organisation find it
    methodology: Annotated[str, SingleLine(200, min_length=0)] = Field(
        default="", description='a peer circle\'s approach, e.g. "solution-focused"')
    challenges: list[Annotated[str, SingleLine(120)]] = Field(
        default_factory=list, max_length=10,
        description='client challenges the circle is about, e.g. "endings", "burnout"')
    context: Annotated[str, MultiLine(1000, min_length=0)] = Field(
        default="", description="the setting: sector, kind of clients, language...")
    findable: StrictBool = Field(default=False, description="a peer circle coaches of the "
                                 "organisation find by the above and ask to join")


class Invitation(RequestBody):
    user_id: str = Field(pattern=ID_PATTERN)


class Join(RequestBody):
    pseudonym: Pseudonym | None = Field(default=None,
                                        description="leave out to take the suggested one")


class SlowModeBody(RequestBody):
    seconds: StrictInt = Field(ge=0, le=86_400, description="between one member's posts; 0 is off")


class Reveal(RequestBody):
    reason: Note = Field(description="why; the member is told it")


class StepOut(RequestBody):
    to: str | None = Field(default=None, pattern=ID_PATTERN,
                           description="a peer's handle; leave out to show your name to the "
                           "whole space")
    understood: StrictBool = Field(description="true: you understood that whoever sees your "
                                   "name may remember it, even after you step back")


class StepBack(RequestBody):
    understood: StrictBool = Field(description="true: you understood that those who saw your "
                                   "name may remember it")


class JoinRequest(RequestBody):
    note: Note | None = Field(default=None, description="a word to the circle's members")


class PostCreate(RequestBody):
    kind: PostKind = "reflection"
    body: Body


class PostEdit(RequestBody):
    body: Body


class CommentCreate(RequestBody):
    body: Body
    parent_id: str | None = Field(default=None, pattern=ID_PATTERN,
                                  description="the comment this one replies to")


class Tag(RequestBody):
    handle: str | None = Field(default=None, pattern=ID_PATTERN)
    pseudonym: Pseudonym | None = None


class Pin(RequestBody):
    note: Annotated[str, MultiLine(1000, min_length=0)] | None = Field(
        default=None, description="why this is a key insight")


class Report(RequestBody):
    reason: Note


class MaterialCreate(RequestBody):
    kind: MaterialKind = "reading"
    title: Annotated[str, SingleLine(300)]
    url: Annotated[str, SingleLine(2000)] | None = Field(
        default=None, description="an http(s) address; stored and shown, never fetched")
    note: Annotated[str, MultiLine(2000, min_length=0)] | None = Field(
        default=None, description="why now: what the members might take from it")
