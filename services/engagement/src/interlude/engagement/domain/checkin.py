"""A check-in: the coachee's note between sessions (mood, small win), and the coach's
acknowledgement with a like or a question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from interlude.engagement.domain import events as ev
from interlude.engagement.domain.contract import (
    Contract,
    content_party,
    content_subject,
    require_active,
)
from interlude.engagement.domain.errors import (
    ChannelNotAgreed,
    Invalid,
    InvalidState,
    NotAllowed,
    NotFound,
)
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.sealing import Secret


@dataclass(frozen=True)
class CheckIn:
    exists: bool = False
    contract_id: str = ""
    liked: bool = False
    questions: int = 0


def evolve(state: CheckIn, event: Event) -> CheckIn:
    match event:
        case ev.CheckInPosted():
            return CheckIn(exists=True, contract_id=event.contract_id)
        case ev.CheckInAcknowledged(kind="like"):
            return CheckIn(state.exists, state.contract_id, True, state.questions)
        case ev.CheckInAcknowledged():
            return CheckIn(state.exists, state.contract_id, state.liked, state.questions + 1)
    return state


CHECK_IN = AggregateSpec(name="checkin", initial=CheckIn, evolve=evolve, state_type=CheckIn)


def require_channel(contract: Contract, channel: Literal["checkins", "messaging"]) -> None:
    terms = require_active(contract)
    if not getattr(terms.channels, channel):
        what = "check-ins" if channel == "checkins" else "messaging"
        raise ChannelNotAgreed(f"{what} between sessions is not part of this contract; amend "
                               "the contract to agree it", channel=channel)


def post(contract: Contract, contract_id: str, user_id: str, text: str, mood: int | None,
         small_win: bool, goal_id: str | None, experiment_id: str | None) -> list[Event]:
    if content_party(contract, user_id, "contract") != "coachee":
        raise NotAllowed("check-ins are posted by the coachee")
    require_channel(contract, "checkins")
    if not text.strip():
        raise Invalid("a check-in needs some text")
    if mood is not None and not 1 <= mood <= 5:
        raise Invalid("mood is from 1 (low) to 5 (high)")
    sealed = Secret(text, content_subject(contract.coachee_id, contract_id))
    return [ev.CheckInPosted(contract_id=contract_id, coach_id=contract.coach_id,
                             coachee_id=contract.coachee_id, text=sealed, mood=mood,
                             small_win=small_win, goal_id=goal_id, experiment_id=experiment_id)]


def acknowledge(state: CheckIn, contract: Contract, contract_id: str, user_id: str,
                kind: Literal["like", "question"], question: str | None) -> list[Event]:
    if not state.exists or state.contract_id != contract_id:
        raise NotFound("there is no such check-in")
    if content_party(contract, user_id, "check-in") != "coach":
        raise NotAllowed("the coach acknowledges check-ins")
    require_channel(contract, "checkins")
    if kind == "like":
        if question:
            raise Invalid("a like carries no question; send kind 'question' to ask one")
        if state.liked:
            return []
        return [ev.CheckInAcknowledged(contract_id=contract_id, coachee_id=contract.coachee_id,
                                       kind="like")]
    if not question or not question.strip():
        raise Invalid("a question needs its text")
    if state.questions >= 20:
        raise InvalidState("this check-in has 20 questions already; continue in messages")
    sealed = Secret(question, content_subject(contract.coachee_id, contract_id))
    return [ev.CheckInAcknowledged(contract_id=contract_id, coachee_id=contract.coachee_id,
                                   kind="question", question=sealed)]
