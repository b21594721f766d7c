"""A tiny aggregate for exercising the event store: a named tally with notes."""

from __future__ import annotations

from dataclasses import dataclass, replace

from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.eventstore.aggregate import AggregateSpec

registry = EventRegistry()


@registry.event("test.Counted", version=1)
class Counted(Event):
    by: int


@registry.event("test.Noted", version=2)
class Noted(Event):
    note: str
    weight: int  # added in v2; v1 events get weight 1


@registry.upcaster("test.Noted", from_version=1)
def _noted_v1_to_v2(payload: dict) -> dict:
    return {**payload, "weight": 1}


@dataclass(frozen=True)
class Tally:
    total: int = 0
    notes: tuple[str, ...] = ()
    weight: int = 0


def evolve(state: Tally, event: Event) -> Tally:
    match event:
        case Counted(by=by):
            return replace(state, total=state.total + by)
        case Noted(note=note, weight=weight):
            return replace(state, notes=(*state.notes, note), weight=state.weight + weight)
    return state


TALLY = AggregateSpec(name="tally", initial=Tally, evolve=evolve, state_type=Tally)
