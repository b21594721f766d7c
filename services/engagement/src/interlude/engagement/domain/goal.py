"""Goals with progress notes, and experiments in the coaching sense: a belief to test, the
behaviour to try, then the result and what was learnt. Either the coach or the coachee writes
them; both belong to the coachee's record."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from interlude.engagement.domain import events as ev
from interlude.engagement.domain.contract import (
    Contract,
    content_party,
    content_subject,
    require_active,
)
from interlude.engagement.domain.errors import Invalid, InvalidState, NotFound
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.sealing import Secret


@dataclass(frozen=True)
class Goal:
    exists: bool = False
    contract_id: str = ""
    status: Literal["open", "achieved", "dropped"] = "open"


def evolve_goal(state: Goal, event: Event) -> Goal:
    match event:
        case ev.GoalSet():
            return Goal(exists=True, contract_id=event.contract_id)
        case ev.GoalClosed():
            return replace(state, status=event.outcome)
    return state


GOAL = AggregateSpec(name="goal", initial=Goal, evolve=evolve_goal, state_type=Goal)


def _text(value: str, what: str) -> str:
    if not value.strip():
        raise Invalid(f"{what} cannot be empty")
    return value


def set_goal(contract: Contract, contract_id: str, user_id: str, title: str) -> list[Event]:
    content_party(contract, user_id)
    require_active(contract)
    return [ev.GoalSet(contract_id=contract_id, coachee_id=contract.coachee_id,
                       title=Secret(_text(title, "a goal's title"),
                                    content_subject(contract.coachee_id, contract_id)),
                       set_by=user_id)]


def _open_goal(state: Goal, contract: Contract, contract_id: str, user_id: str) -> None:
    if not state.exists or state.contract_id != contract_id:
        raise NotFound("there is no such goal")
    content_party(contract, user_id, "goal")
    require_active(contract)
    if state.status != "open":
        raise InvalidState(f"this goal is {state.status}")


def note_progress(state: Goal, contract: Contract, contract_id: str, user_id: str, note: str,
                  progress: int | None) -> list[Event]:
    _open_goal(state, contract, contract_id, user_id)
    if progress is not None and not 0 <= progress <= 100:
        raise Invalid("progress is a percentage from 0 to 100")
    return [ev.GoalProgressNoted(contract_id=contract_id, coachee_id=contract.coachee_id,
                                 note=Secret(_text(note, "a progress note"),
                                             content_subject(contract.coachee_id, contract_id)),
                                 progress=progress)]


def close_goal(state: Goal, contract: Contract, contract_id: str, user_id: str,
               outcome: Literal["achieved", "dropped"]) -> list[Event]:
    _open_goal(state, contract, contract_id, user_id)
    return [ev.GoalClosed(contract_id=contract_id, coachee_id=contract.coachee_id,
                          outcome=outcome)]


@dataclass(frozen=True)
class Experiment:
    exists: bool = False
    contract_id: str = ""
    reported: bool = False


def evolve_experiment(state: Experiment, event: Event) -> Experiment:
    match event:
        case ev.ExperimentPlanned():
            return Experiment(exists=True, contract_id=event.contract_id)
        case ev.ExperimentReported():
            return replace(state, reported=True)
    return state


EXPERIMENT = AggregateSpec(name="experiment", initial=Experiment, evolve=evolve_experiment,
                           state_type=Experiment)


def plan_experiment(contract: Contract, contract_id: str, user_id: str, goal_id: str | None,
                    belief: str, behaviour: str) -> list[Event]:
    content_party(contract, user_id)
    require_active(contract)
    subject = content_subject(contract.coachee_id, contract_id)
    return [ev.ExperimentPlanned(
        contract_id=contract_id, coachee_id=contract.coachee_id, goal_id=goal_id,
        belief=Secret(_text(belief, "the belief to test"), subject),
        behaviour=Secret(_text(behaviour, "the behaviour to try"), subject))]


def report_experiment(state: Experiment, contract: Contract, contract_id: str, user_id: str,
                      result: str, learning: str) -> list[Event]:
    if not state.exists or state.contract_id != contract_id:
        raise NotFound("there is no such experiment")
    content_party(contract, user_id, "experiment")
    require_active(contract)
    if state.reported:
        raise InvalidState("this experiment was reported already; plan a new one")
    subject = content_subject(contract.coachee_id, contract_id)
    return [ev.ExperimentReported(
        contract_id=contract_id, coachee_id=contract.coachee_id,
        result=Secret(_text(result, "the result"), subject),
        learning=Secret(_text(learning, "what was learnt"), subject))]
