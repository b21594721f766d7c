"""engagement's events as notify reads them: a published contract of the names and fields
notify relies on, declared here because services share events, never code. Unknown fields are
ignored (engagement may add some); a new version of one of these in engagement needs its step
here too, or notify's consumers dead-letter what they cannot read."""

from __future__ import annotations

from datetime import datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict

from interlude.shared.events.published import Published
from interlude.shared.events.registry import EventRegistry
from interlude.shared.sealing import Secret

engagement = EventRegistry()
Party = Literal["coach", "coachee", "sponsor"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Channels(_Part):
    checkins: bool = True
    messaging: bool = True
    community: bool = False


class Allowance(_Part):
    kind: Literal["monthly", "per_message"] = "monthly"
    replies_per_month: int | None = 8
    reply_window_hours: int = 48


class QuietHours(_Part):
    start: time
    end: time
    timezone: str = "UTC"


class Terms(_Part):
    channels: Channels = Channels()
    allowance: Allowance = Allowance()
    quiet_hours: QuietHours | None = None


@engagement.event("engagement.ContractProposed")
class ContractProposed(Published):
    coach_id: str
    coachee_id: str
    sponsor_id: str | None = None
    terms: Terms


@engagement.event("engagement.ContractAmended")
class ContractAmended(Published):
    terms: Terms
    proposed_by: str


@engagement.event("engagement.ContractActivated")
class ContractActivated(Published):
    coach_id: str
    coachee_id: str
    sponsor_id: str | None = None
    terms: Terms


@engagement.event("engagement.ConsentWithdrawn")
class ConsentWithdrawn(Published):
    coachee_id: str
    consent: str


@engagement.event("engagement.ContractEnded")
class ContractEnded(Published):
    ended_by: str


@engagement.event("engagement.ContractContentExpired")
class ContractContentExpired(Published):
    coach_id: str
    coachee_id: str


@engagement.event("engagement.SessionScheduled")
class SessionScheduled(Published):
    session_id: str
    starts_at: datetime
    scheduled_by: str


@engagement.event("engagement.SessionRescheduled")
class SessionRescheduled(Published):
    session_id: str
    starts_at: datetime
    rescheduled_by: str


@engagement.event("engagement.SessionCancelled")
class SessionCancelled(Published):
    session_id: str
    cancelled_by: str
    reason: Secret | None = None


@engagement.event("engagement.CheckInPosted")
class CheckInPosted(Published):
    contract_id: str
    coach_id: str
    coachee_id: str
    text: Secret


@engagement.event("engagement.CheckInAcknowledged")
class CheckInAcknowledged(Published):
    contract_id: str
    coachee_id: str
    kind: Literal["like", "question"]
    question: Secret | None = None


@engagement.event("engagement.MessageSent")
class MessageSent(Published):
    contract_id: str
    message_id: str
    sender_id: str
    party: Literal["coach", "coachee"]
    coachee_id: str
    body: Secret
    month: str
    counted: bool
