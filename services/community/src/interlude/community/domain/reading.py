"""How far a member has read a space's feed: the mark their unread count starts from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from interlude.community.domain import events as ev
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec


@dataclass(frozen=True)
class Reading:
    up_to: datetime | None = None


def evolve(state: Reading, event: Event) -> Reading:
    return Reading(event.up_to) if isinstance(event, ev.FeedRead) else state


READING = AggregateSpec(name="reading", initial=Reading, evolve=evolve, state_type=Reading)


def mark(state: Reading, space_id: str, user_id: str, up_to: datetime) -> list[Event]:
    if state.up_to is not None and up_to <= state.up_to:
        return []
    return [ev.FeedRead(space_id=space_id, user_id=user_id, up_to=up_to)]
