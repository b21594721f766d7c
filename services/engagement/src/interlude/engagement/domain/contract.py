"""The coaching contract: proposed, signed by every party, active, amended, ended; the coachee's
consents; and the sessions of its plan. Pure: time and ids come in as arguments."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

from interlude.engagement.domain import events as ev
from interlude.engagement.domain.errors import (
    AlreadyOpen,
    Invalid,
    InvalidState,
    NotAllowed,
    NotFound,
    PlanExceeded,
    TooFarAhead,
    TooFarBack,
)
from interlude.engagement.domain.terms import Consent, Consents, Mode, Terms
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.sealing import Secret
from interlude.shared.sealing.keyring import scoped

Status = Literal["none", "proposed", "active", "ended"]


@dataclass(frozen=True)
class Session:
    session_id: str
    starts_at: datetime
    minutes: int
    mode: Mode
    status: Literal["scheduled", "held", "cancelled"] = "scheduled"
    cancelled_by: str | None = None


@dataclass(frozen=True)
class Contract:
    status: Status = "none"
    coach_id: str = ""
    coachee_id: str = ""
    sponsor_id: str | None = None
    terms: Terms | None = None  # the terms in force (None until first activated)
    terms_version: int = 0
    pending: Terms | None = None  # proposed or amended terms awaiting signatures
    pending_version: int = 0
    signed_by: tuple[str, ...] = ()  # who has signed the pending terms
    consents: Consents = field(default_factory=Consents)
    sessions: tuple[Session, ...] = ()
    ended_by: str | None = None
    content_expired: bool = False  # erased after the retention the terms agreed

    @property
    def exists(self) -> bool:
        return self.status != "none"

    @property
    def parties(self) -> tuple[str, ...]:
        return (self.coach_id, self.coachee_id) + ((self.sponsor_id,) if self.sponsor_id else ())

    def party(self, user_id: str) -> ev.Party | None:
        if user_id == self.coach_id:
            return "coach"
        if user_id == self.coachee_id:
            return "coachee"
        if self.sponsor_id and user_id == self.sponsor_id:
            return "sponsor"
        return None

    def session(self, session_id: str) -> Session:
        for session in self.sessions:
            if session.session_id == session_id:
                return session
        raise NotFound("there is no such session in this contract")

    @property
    def held(self) -> int:
        return sum(1 for s in self.sessions if s.status == "held")

    @property
    def upcoming(self) -> int:
        return sum(1 for s in self.sessions if s.status == "scheduled")


def _with_session(state: Contract, session_id: str, **changes: object) -> Contract:
    sessions = tuple(replace(s, **changes) if s.session_id == session_id else s  # type: ignore[arg-type]
                     for s in state.sessions)
    return replace(state, sessions=sessions)


def evolve(state: Contract, event: Event) -> Contract:
    match event:
        case ev.ContractProposed():
            return Contract(status="proposed", coach_id=event.coach_id,
                            coachee_id=event.coachee_id, sponsor_id=event.sponsor_id,
                            pending=event.terms, pending_version=event.terms_version)
        case ev.ContractAmended():
            return replace(state, pending=event.terms, pending_version=event.terms_version,
                           signed_by=())
        case ev.ContractSigned():
            return replace(state, signed_by=(*state.signed_by, event.user_id))
        case ev.ContractActivated():
            return replace(state, status="active", terms=event.terms,
                           terms_version=event.terms_version, pending=None, signed_by=(),
                           consents=event.consents)
        case ev.ConsentWithdrawn():
            return replace(state, consents=state.consents.with_(event.consent, False))
        case ev.ConsentGiven():
            return replace(state, consents=state.consents.with_(event.consent, True))
        case ev.ContractEnded():
            return replace(state, status="ended", ended_by=event.ended_by, pending=None)
        case ev.ContractContentExpired():
            return replace(state, content_expired=True)
        case ev.SessionScheduled():
            return replace(state, sessions=(*state.sessions, Session(
                event.session_id, event.starts_at, event.minutes, event.mode)))
        case ev.SessionRescheduled():
            return _with_session(state, event.session_id, starts_at=event.starts_at)
        case ev.SessionCancelled():
            return _with_session(state, event.session_id, status="cancelled",
                                 cancelled_by=event.cancelled_by)
        case ev.SessionHeld():
            return _with_session(state, event.session_id, status="held")
    return state


CONTRACT = AggregateSpec(name="contract", initial=Contract, evolve=evolve, state_type=Contract)


# -- decisions ----------------------------------------------------------------------------------

def propose(state: Contract, coach_id: str, coachee_id: str, sponsor_id: str | None,
            terms: Terms) -> list[Event]:
    if state.exists:
        raise InvalidState("this contract already exists")
    if coach_id == coachee_id or sponsor_id in (coach_id, coachee_id):
        raise Invalid("coach, coachee and sponsor must be three different people")
    return [ev.ContractProposed(coach_id=coach_id, coachee_id=coachee_id, sponsor_id=sponsor_id,
                                terms=terms, terms_version=1)]


def party_of(state: Contract, user_id: str) -> ev.Party:
    """The caller's part in the contract; anyone else is told it does not exist."""
    party = state.party(user_id) if state.exists else None
    if party is None:
        raise NotFound("there is no such contract")
    return party


def content_party(state: Contract, user_id: str,
                  what: str = "contract") -> Literal["coach", "coachee"]:
    """Only the coach and the coachee read or write the coaching itself: the sponsor, like
    anyone else, is told there is nothing there."""
    party = state.party(user_id) if state.exists else None
    if party is None or party == "sponsor":
        raise NotFound(f"there is no such {what}")
    return party


def sign(state: Contract, user_id: str, terms_version: int | None = None) -> list[Event]:
    party = party_of(state, user_id)
    if state.status == "ended":
        raise InvalidState("this contract has ended")
    if state.pending is None:
        raise InvalidState("there are no terms awaiting signatures")
    if terms_version is not None and terms_version != state.pending_version:
        raise InvalidState(f"the terms awaiting signatures are version {state.pending_version}, "
                           f"not {terms_version}: read them again before signing")
    if user_id in state.signed_by:
        return []
    events: list[Event] = [ev.ContractSigned(user_id=user_id, party=party,
                                             terms_version=state.pending_version,
                                             terms=state.pending)]
    if set(state.parties) <= {*state.signed_by, user_id}:
        events.append(ev.ContractActivated(
            coach_id=state.coach_id, coachee_id=state.coachee_id, sponsor_id=state.sponsor_id,
            terms_version=state.pending_version, terms=state.pending,
            consents=state.pending.consents))
    return events


def amend(state: Contract, user_id: str, terms: Terms) -> list[Event]:
    party = party_of(state, user_id)
    if party == "sponsor":
        raise NotAllowed("only the coach or the coachee can propose new terms")
    if state.status == "ended":
        raise InvalidState("this contract has ended; propose a new one")
    if terms == (state.pending or state.terms):
        return []
    version = max(state.pending_version, state.terms_version) + 1
    return [ev.ContractAmended(terms=terms, terms_version=version, proposed_by=user_id)]


def set_consent(state: Contract, user_id: str, consent: Consent, given: bool) -> list[Event]:
    if party_of(state, user_id) != "coachee":
        raise NotAllowed("only the coachee gives or withdraws their consents")
    if state.status == "ended":
        raise InvalidState("this contract has ended")
    if getattr(state.consents, consent) == given:
        return []
    kind = ev.ConsentGiven if given else ev.ConsentWithdrawn
    return [kind(coachee_id=state.coachee_id, consent=consent)]


def end(state: Contract, contract_id: str, user_id: str, reason: str | None) -> list[Event]:
    """The contract ended by a party; the reason is the contract's content (its retention
    shreds it with the rest)."""
    party = party_of(state, user_id)
    if party == "sponsor":
        raise NotAllowed("only the coach or the coachee can end the contract")
    if state.status == "ended":
        return []
    sealed = Secret(reason, content_subject(state.coachee_id, contract_id)) if reason else None
    return [ev.ContractEnded(ended_by=user_id, party=party, coachee_id=state.coachee_id,
                             reason=sealed)]


def content_subject(coachee_id: str, contract_id: str) -> str:
    """Whose key seals a contract's coaching content (check-ins, messages, goals,
    experiments): the coachee's, for this contract alone, so that the contract's retention can
    shred it without touching the person's other contracts or their name; the coachee's
    erasure makes it unreadable with theirs (a scoped key: ``interlude.shared.sealing``)."""
    return scoped(coachee_id, contract_id)


def content_due(ended_at: datetime, retention_days: int, now: datetime) -> bool:
    """Whether an ended contract has outlived the retention its terms agreed."""
    return now >= ended_at + timedelta(days=retention_days)


def expire_content(state: Contract, ended_at: datetime, now: datetime) -> list[Event]:
    """Record that the ended contract's content is erased (once)."""
    if state.status != "ended" or state.content_expired or state.terms is None:
        return []
    if not content_due(ended_at, state.terms.retention_days, now):
        return []
    return [ev.ContractContentExpired(coach_id=state.coach_id, coachee_id=state.coachee_id,
                                      ended_at=ended_at,
                                      retention_days=state.terms.retention_days)]


def require_active(state: Contract) -> Terms:
    if state.status != "active" or state.terms is None:
        raise InvalidState("this contract is not active: every party must sign it first"
                           if state.status == "proposed" else "this contract has ended")
    return state.terms


# how far ahead a session may be set: further than anyone plans one (a plan spans at most 36
# months, and its sessions are set as it goes), so a date that far is a typo (8999 for 2026)
SCHEDULE_AHEAD = timedelta(days=730)


# how far back: a session held and not yet recorded is set afterwards, then marked held; a
# date further back than a season is a typo too (2020 for 2026), not a session to record
SCHEDULE_BACK = timedelta(days=90)


def within_reach(starts_at: datetime, now: datetime) -> None:
    """Raises :class:`TooFarAhead` for a session starting more than two years after ``now``,
    :class:`TooFarBack` for one more than 90 days before it."""
    earliest = now - SCHEDULE_BACK
    if starts_at < earliest:
        raise TooFarBack(f"a session can be set at most 90 days back (to record one that was "
                         f"held), from {earliest:%Y-%m-%d}; check the year",
                         earliest=earliest.isoformat(timespec="seconds"))
    latest = now + SCHEDULE_AHEAD
    if starts_at > latest:
        raise TooFarAhead(f"a session can be scheduled at most two years ahead, until "
                          f"{latest:%Y-%m-%d}; pick an earlier date",
                          latest=latest.isoformat(timespec="seconds"))


def schedule(state: Contract, user_id: str, session_id: str, starts_at: datetime,
             minutes: int | None, mode: Mode | None, now: datetime) -> list[Event]:
    content_party(state, user_id)
    plan = require_active(state).sessions
    within_reach(starts_at, now)
    if state.held + state.upcoming >= plan.count:
        raise PlanExceeded(f"the plan has {plan.count} sessions ({state.held} held, "
                           f"{state.upcoming} scheduled); amend the contract for more",
                           planned=plan.count, held=state.held, scheduled=state.upcoming)
    return [ev.SessionScheduled(session_id=session_id, starts_at=starts_at,
                                minutes=minutes or plan.minutes, mode=mode or plan.mode,
                                scheduled_by=user_id)]


def _open_session(state: Contract, user_id: str, session_id: str) -> tuple[ev.Party, Session]:
    party = content_party(state, user_id)
    require_active(state)
    session = state.session(session_id)
    if session.status != "scheduled":
        raise InvalidState(f"this session is already {session.status}")
    return party, session


def reschedule(state: Contract, user_id: str, session_id: str, starts_at: datetime,
               now: datetime) -> list[Event]:
    _, session = _open_session(state, user_id, session_id)
    if session.starts_at == starts_at:
        return []
    within_reach(starts_at, now)
    return [ev.SessionRescheduled(session_id=session_id, starts_at=starts_at,
                                  rescheduled_by=user_id)]


def cancel(state: Contract, contract_id: str, user_id: str, session_id: str,
           reason: str | None) -> list[Event]:
    party, _ = _open_session(state, user_id, session_id)
    sealed = Secret(reason, content_subject(state.coachee_id, contract_id)) if reason else None
    return [ev.SessionCancelled(session_id=session_id, cancelled_by=user_id, party=party,
                                coachee_id=state.coachee_id, reason=sealed)]


def mark_held(state: Contract, user_id: str, session_id: str, now: datetime) -> list[Event]:
    party, session = _open_session(state, user_id, session_id)
    if party != "coach":
        raise NotAllowed("the coach marks a session as held")
    if session.starts_at > now:
        raise InvalidState("this session has not started yet")
    return [ev.SessionHeld(session_id=session_id)]


def claim_pairing(current: str | None, current_open: bool, contract_id: str, coach_id: str,
                  coachee_id: str) -> list[Event]:
    """A coachee has one open (proposed or active) contract per coach at a time."""
    if current is not None and current_open and current != contract_id:
        raise AlreadyOpen("this coachee already has an open contract with this coach; end it "
                          "or amend it instead", contract_id=current)
    if current == contract_id:
        return []
    return [ev.PairingClaimed(contract_id=contract_id, coach_id=coach_id, coachee_id=coachee_id)]


@dataclass(frozen=True)
class Pairing:
    contract_id: str | None = None


def evolve_pairing(state: Pairing, event: Event) -> Pairing:
    if isinstance(event, ev.PairingClaimed):
        return Pairing(event.contract_id)
    return state


PAIRING = AggregateSpec(name="pairing", initial=Pairing, evolve=evolve_pairing,
                        state_type=Pairing)
