"""Request and response bodies of community's API."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from interlude.community.domain.events import MaterialKind, PostKind, SpaceKind
from interlude.community.domain.post import MAX_BODY
from interlude.shared.kit import ID_PATTERN
from interlude.shared.text import MultiLine, SingleLine

# free text (interlude.shared.text): refused with a 422 naming the field when the read side
# could not store it (NUL, other control characters, lone surrogates)
Body = Annotated[str, MultiLine(MAX_BODY)]
Pseudonym = Annotated[str, SingleLine(64, min_length=0)]
Note = Annotated[str, MultiLine(1000)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SpaceCreate(_Body):
    kind: SpaceKind = "cohort"
    name: Annotated[str, SingleLine(120)] = Field(
        description='the shared challenge, e.g. "Saying no without burning bridges"')
    description: Annotated[str, MultiLine(2000, min_length=0)] = ""
    pseudonymous: bool = Field(default=True, description="members appear to peers only by "
                               "pseudonym (within what community.pseudonyms allows)")
    # a peer circle's: what it is about, by which coaches of the organisation find it
    methodology: Annotated[str, SingleLine(200, min_length=0)] = Field(
        default="", description='a peer circle\'s approach, e.g. "solution-focused"')
    challenges: list[Annotated[str, SingleLine(120)]] = Field(
        default_factory=list, max_length=10,
        description='client challenges the circle is about, e.g. "endings", "burnout"')
    context: Annotated[str, MultiLine(1000, min_length=0)] = Field(
        default="", description="the setting: sector, kind of clients, language...")
    findable: bool = Field(default=False, description="a peer circle coaches of the "
                           "organisation find by the above and ask to join")


class Invitation(_Body):
    user_id: str = Field(pattern=ID_PATTERN)


class Join(_Body):
    pseudonym: Pseudonym | None = Field(default=None,
                                        description="leave out to take the suggested one")


class SlowModeBody(_Body):
    seconds: int = Field(ge=0, le=86_400, description="between one member's posts; 0 is off")


class Reveal(_Body):
    reason: Note = Field(description="why; the member is told it")


class StepOut(_Body):
    to: str | None = Field(default=None, pattern=ID_PATTERN,
                           description="a peer's handle; leave out to show your name to the "
                           "whole space")
    understood: bool = Field(description="true: you understood that whoever sees your name "
                             "may remember it, even after you step back")


class StepBack(_Body):
    understood: bool = Field(description="true: you understood that those who saw your name "
                             "may remember it")


class JoinRequest(_Body):
    note: Note | None = Field(default=None, description="a word to the circle's members")


class PostCreate(_Body):
    kind: PostKind = "reflection"
    body: Body


class PostEdit(_Body):
    body: Body


class CommentCreate(_Body):
    body: Body
    parent_id: str | None = Field(default=None, pattern=ID_PATTERN,
                                  description="the comment this one replies to")


class Tag(_Body):
    handle: str | None = Field(default=None, pattern=ID_PATTERN)
    pseudonym: Pseudonym | None = None


class Pin(_Body):
    note: Annotated[str, MultiLine(1000, min_length=0)] | None = Field(
        default=None, description="why this is a key insight")


class Report(_Body):
    reason: Note


class MaterialCreate(_Body):
    kind: MaterialKind = "reading"
    title: Annotated[str, SingleLine(300)]
    url: Annotated[str, SingleLine(2000)] | None = Field(
        default=None, description="an http(s) address; stored and shown, never fetched")
    note: Annotated[str, MultiLine(2000, min_length=0)] | None = Field(
        default=None, description="why now: what the members might take from it")
