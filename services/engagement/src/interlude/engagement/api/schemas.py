"""Request and response bodies of engagement's API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt, field_validator

from interlude.engagement.domain.events import Attachment, MaterialKind
from interlude.engagement.domain.terms import (
    Channels,
    Mode,
    OutsidePlatforms,
    OutsideUse,
    Terms,
)
from interlude.shared.kit import MAX_INT32, Instant, RequestBody
from interlude.shared.text import MultiLine, SingleLine

ID = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
TEXT = 20_000  # characters: a long reflection, not a document
# free text (interlude.shared.text): refused with a 422 naming the field when the read side
# could not store it (NUL, other control characters, lone surrogates)
Content = Annotated[str, MultiLine(TEXT)]
Reason = Annotated[str, MultiLine(2_000, min_length=0)]


class ChannelsIn(Channels):
    community_space: Annotated[str, SingleLine(64, min_length=0)] | None = Field(
        default=None, description="the community space agreed, if any")


class OutsideUseIn(OutsideUse):
    platform: Annotated[str, SingleLine(60)] = Field(description='e.g. "LinkedIn", "phone"')
    use: Annotated[str, SingleLine(200, min_length=0)] = Field(
        default="", description='what it is for, e.g. "sharing articles, never coaching"')


class OutsidePlatformsIn(OutsidePlatforms):
    uses: tuple[OutsideUseIn, ...] = Field(default=(), max_length=10)
    note: Annotated[str, MultiLine(2000, min_length=0)] = Field(
        default="", description="anything else agreed, in words")


class TermsIn(Terms):
    """The terms as a request gives them: their text as strict as the API's other text. The
    domain's Terms stay as lenient as the events already stored need them to be."""

    programme: Annotated[str, SingleLine(80)] = Field(
        default="General", description="the programme the sponsor's figures group by")
    channels: ChannelsIn = ChannelsIn()
    outside_platforms: OutsidePlatformsIn = OutsidePlatformsIn()


def _as_terms(terms: TermsIn) -> Terms:
    # what was checked, as the domain's own type (events and comparisons expect exactly it)
    return Terms.model_validate(terms.model_dump())


class ContractCreate(RequestBody):
    coachee_id: str = ID
    sponsor_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    terms: TermsIn

    _terms = field_validator("terms")(_as_terms)


class ContractAmend(RequestBody):
    terms: TermsIn

    _terms = field_validator("terms")(_as_terms)


class Signature(RequestBody):
    terms_version: StrictInt | None = Field(default=None, ge=1, description="the version read; a "
                                      "signature of other terms is refused")


class Ending(RequestBody):
    reason: Reason | None = None


class SessionCreate(RequestBody):
    starts_at: Instant
    minutes: StrictInt | None = Field(default=None, ge=15, le=480)
    mode: Mode | None = None


class SessionMove(RequestBody):
    starts_at: Instant


class Cancellation(RequestBody):
    reason: Reason | None = None


class CheckInCreate(RequestBody):
    text: Content
    mood: StrictInt | None = Field(default=None, ge=1, le=5)
    small_win: StrictBool = False
    goal_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    experiment_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")


class Acknowledgement(RequestBody):
    kind: Literal["like", "question"]
    question: Annotated[str, MultiLine(TEXT, min_length=0)] | None = None


class AttachmentIn(RequestBody):
    filename: Annotated[str, SingleLine(255)]
    media_type: str = Field(min_length=3, max_length=127, pattern=r"^[\w.+-]+/[\w.+-]+$")
    size: StrictInt = Field(ge=0, le=25_000_000)

    def to_domain(self) -> Attachment:
        return Attachment(filename=self.filename, media_type=self.media_type, size=self.size)


class MessageCreate(RequestBody):
    body: Content
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=5)


class ReadReceipt(RequestBody):
    up_to: StrictInt = Field(ge=1, le=MAX_INT32, description="the number of the last message read")


class MaterialCreate(RequestBody):
    kind: MaterialKind = "reading"
    title: Annotated[str, SingleLine(300)]
    url: Annotated[str, SingleLine(2000)] | None = Field(
        default=None, description="an http(s) link; stored and shown, never fetched")
    note: Annotated[str, MultiLine(2000, min_length=0)] | None = Field(
        default=None, description="why now: what the coachee might take from it")


class MaterialDoneBody(RequestBody):
    reflection: Annotated[str, MultiLine(TEXT, min_length=0)] | None = Field(
        default=None, description="what the coachee took from it (for them and their coach)")


class GoalCreate(RequestBody):
    title: Annotated[str, SingleLine(500)]


class ProgressNote(RequestBody):
    note: Content
    progress: StrictInt | None = Field(default=None, ge=0, le=100)


class GoalClosing(RequestBody):
    outcome: Literal["achieved", "dropped"]


class ExperimentCreate(RequestBody):
    belief: Content
    behaviour: Content
    goal_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")


class ExperimentReport(RequestBody):
    result: Content
    learning: Content


class CalendarFeed(BaseModel):
    url: str
    created_at: datetime
