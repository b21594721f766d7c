"""engagement's events: released contracts, named for good, never edited (a new shape gets a
new version and an upcaster). Coaching content is sealed with the coachee's key: erasing the
coachee makes the whole record of their coaching unreadable."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from interlude.engagement.domain.terms import Consent, Consents, Mode, Terms
from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.sealing import Secret

registry = EventRegistry()
EVENT = registry.event
Party = Literal["coach", "coachee", "sponsor"]


# -- a coach and a coachee: at most one open contract (aggregate id = "<coach>_<coachee>") ----

@EVENT("engagement.PairingClaimed")
class PairingClaimed(Event):
    contract_id: str
    coach_id: str
    coachee_id: str


# -- the contract (with its sessions) ------------------------------------------------------------

@EVENT("engagement.ContractProposed")
class ContractProposed(Event):
    coach_id: str
    coachee_id: str
    sponsor_id: str | None
    terms: Terms
    terms_version: int


@EVENT("engagement.ContractAmended")
class ContractAmended(Event):
    """New terms proposed; they apply once every party has signed them."""

    terms: Terms
    terms_version: int
    proposed_by: str


@EVENT("engagement.ContractSigned")
class ContractSigned(Event):
    user_id: str
    party: Party
    terms_version: int
    terms: Terms


@EVENT("engagement.ContractActivated")
class ContractActivated(Event):
    """Every party has signed ``terms_version``: these terms (and consents) now apply."""

    coach_id: str
    coachee_id: str
    sponsor_id: str | None
    terms_version: int
    terms: Terms
    consents: Consents


@EVENT("engagement.ConsentWithdrawn")
class ConsentWithdrawn(Event):
    coachee_id: str
    consent: Consent


@EVENT("engagement.ConsentGiven")
class ConsentGiven(Event):
    coachee_id: str
    consent: Consent


@EVENT("engagement.ContractEnded")
class ContractEnded(Event):
    ended_by: str
    party: Party
    coachee_id: str
    reason: Secret | None = None


@EVENT("engagement.ContractContentExpired")
class ContractContentExpired(Event):
    """The contract ended longer ago than its ``retention_days``: its check-ins, messages,
    goals and experiments were erased (their key shredded, their read-model rows removed).
    What went is counted here; nothing of it is kept."""

    coach_id: str
    coachee_id: str
    ended_at: datetime
    retention_days: int


@EVENT("engagement.SessionScheduled")
class SessionScheduled(Event):
    session_id: str
    starts_at: datetime
    minutes: int
    mode: Mode
    scheduled_by: str


@EVENT("engagement.SessionRescheduled")
class SessionRescheduled(Event):
    session_id: str
    starts_at: datetime
    rescheduled_by: str


@EVENT("engagement.SessionCancelled")
class SessionCancelled(Event):
    session_id: str
    cancelled_by: str
    party: Party
    coachee_id: str
    reason: Secret | None = None


@EVENT("engagement.SessionHeld")
class SessionHeld(Event):
    session_id: str


# -- check-ins (aggregate id = check-in id) ------------------------------------------------------

@EVENT("engagement.CheckInPosted")
class CheckInPosted(Event):
    contract_id: str
    coach_id: str
    coachee_id: str
    text: Secret
    mood: int | None
    small_win: bool
    goal_id: str | None = None
    experiment_id: str | None = None


@EVENT("engagement.CheckInAcknowledged")
class CheckInAcknowledged(Event):
    contract_id: str
    coachee_id: str
    kind: Literal["like", "question"]
    question: Secret | None = None


# -- the message thread of a contract (aggregate id = contract id) -------------------------------

class Attachment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    filename: str
    media_type: str
    size: int


@EVENT("engagement.MessageSent")
class MessageSent(Event):
    contract_id: str
    message_id: str
    number: int  # 1, 2, ... in the thread: read receipts name "read up to number n"
    sender_id: str
    party: Literal["coach", "coachee"]
    coachee_id: str
    body: Secret
    attachments: tuple[Attachment, ...] = ()
    month: str  # the calendar month (UTC) a coach reply counts in, "2026-11"
    counted: bool  # a coach reply, counted against the allowance
    billable: bool  # under per-message billing


@EVENT("engagement.MessageRead")
class MessageRead(Event):
    contract_id: str
    reader_id: str
    party: Literal["coach", "coachee"]
    up_to: int


# -- goals and experiments (aggregate id = goal id / experiment id) ------------------------------

@EVENT("engagement.GoalSet")
class GoalSet(Event):
    contract_id: str
    coachee_id: str
    title: Secret
    set_by: str


@EVENT("engagement.GoalProgressNoted")
class GoalProgressNoted(Event):
    contract_id: str
    coachee_id: str
    note: Secret
    progress: int | None = None  # percent, when the person gives one


@EVENT("engagement.GoalClosed")
class GoalClosed(Event):
    contract_id: str
    coachee_id: str
    outcome: Literal["achieved", "dropped"]


@EVENT("engagement.ExperimentPlanned")
class ExperimentPlanned(Event):
    contract_id: str
    coachee_id: str
    goal_id: str | None
    belief: Secret  # the belief to test
    behaviour: Secret  # the behaviour to try


@EVENT("engagement.ExperimentReported")
class ExperimentReported(Event):
    contract_id: str
    coachee_id: str
    result: Secret
    learning: Secret


# -- a material (aggregate id = material id): what a coach shares with a coachee ---------------

MaterialKind = Literal["reading", "exercise", "worksheet", "link"]


@EVENT("engagement.MaterialShared")
class MaterialShared(Event):
    contract_id: str
    coach_id: str
    coachee_id: str
    kind: MaterialKind
    title: Secret  # sealed under the contract's content key, as are url, note and reflection
    url: Secret | None
    note: Secret | None  # why now


@EVENT("engagement.MaterialOpened")
class MaterialOpened(Event):
    contract_id: str
    coachee_id: str


@EVENT("engagement.MaterialDone")
class MaterialDone(Event):
    contract_id: str
    coachee_id: str
    reflection: Secret | None = None
