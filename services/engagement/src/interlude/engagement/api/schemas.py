"""Request and response bodies of engagement's API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from interlude.engagement.domain.events import Attachment
from interlude.engagement.domain.terms import Mode, Terms

ID = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
TEXT = 20_000  # characters: a long reflection, not a document


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Written(BaseModel):
    id: str
    position: int = Field(description="pass as ?after= to read this write back")


class ContractCreate(_Body):
    coachee_id: str = ID
    sponsor_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    terms: Terms


class ContractAmend(_Body):
    terms: Terms


class Signature(_Body):
    terms_version: int | None = Field(default=None, ge=1, description="the version read; a "
                                      "signature of other terms is refused")


class Ending(_Body):
    reason: str | None = Field(default=None, max_length=2_000)


class SessionCreate(_Body):
    starts_at: AwareDatetime
    minutes: int | None = Field(default=None, ge=15, le=480)
    mode: Mode | None = None


class SessionMove(_Body):
    starts_at: AwareDatetime


class Cancellation(_Body):
    reason: str | None = Field(default=None, max_length=2_000)


class CheckInCreate(_Body):
    text: str = Field(min_length=1, max_length=TEXT)
    mood: int | None = Field(default=None, ge=1, le=5)
    small_win: bool = False
    goal_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    experiment_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")


class Acknowledgement(_Body):
    kind: Literal["like", "question"]
    question: str | None = Field(default=None, max_length=TEXT)


class AttachmentIn(_Body):
    filename: str = Field(min_length=1, max_length=255)
    media_type: str = Field(min_length=3, max_length=127, pattern=r"^[\w.+-]+/[\w.+-]+$")
    size: int = Field(ge=0, le=25_000_000)

    def to_domain(self) -> Attachment:
        return Attachment(filename=self.filename, media_type=self.media_type, size=self.size)


class MessageCreate(_Body):
    body: str = Field(min_length=1, max_length=TEXT)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=5)


class ReadReceipt(_Body):
    up_to: int = Field(ge=1, description="the number of the last message read")


class GoalCreate(_Body):
    title: str = Field(min_length=1, max_length=500)


class ProgressNote(_Body):
    note: str = Field(min_length=1, max_length=TEXT)
    progress: int | None = Field(default=None, ge=0, le=100)


class GoalClosing(_Body):
    outcome: Literal["achieved", "dropped"]


class ExperimentCreate(_Body):
    belief: str = Field(min_length=1, max_length=TEXT)
    behaviour: str = Field(min_length=1, max_length=TEXT)
    goal_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")


class ExperimentReport(_Body):
    result: str = Field(min_length=1, max_length=TEXT)
    learning: str = Field(min_length=1, max_length=TEXT)


class CalendarFeed(BaseModel):
    url: str
    created_at: datetime
