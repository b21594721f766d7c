"""A member's pace in a space with slow mode on: when they last posted. Slow mode is decided
here, not from the read model, so two posts sent within the projection's lag cannot both pass:
both append to this aggregate expecting the same sequence, and the loser decides again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from interlude.community.domain import events as ev
from interlude.community.domain.errors import SlowMode
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec


@dataclass(frozen=True)
class Pace:
    last_at: datetime | None = None
    last_post_id: str | None = None


def evolve(state: Pace, event: Event) -> Pace:
    return Pace(event.at, event.post_id) if isinstance(event, ev.PostPaced) else state


PACE = AggregateSpec(name="pace", initial=Pace, evolve=evolve, state_type=Pace)


def pace_id(space_id: str, handle: str) -> str:
    return f"{space_id}_{handle}"


def keep(state: Pace, *, space_id: str, user_id: str, post_id: str, now: datetime,
         slow_mode_s: int, earlier: datetime | None = None) -> list[Event]:
    """Count ``post_id`` against slow mode, or refuse it with the seconds left to wait.
    ``earlier``: the member's last post from before this aggregate knew of them (slow mode
    switched on after they posted). A retried request (same post id) is counted once."""
    if state.last_post_id == post_id:
        return []
    last = max((t for t in (state.last_at, earlier) if t is not None), default=None)
    if last is not None:
        wait = last + timedelta(seconds=slow_mode_s) - now
        if wait > timedelta(0):
            seconds = int(wait.total_seconds()) + 1
            raise SlowMode(f"slow mode is on in this space: one post every {slow_mode_s} s; "
                           f"you can post again in {seconds} s", retry_after=seconds)
    return [ev.PostPaced(space_id=space_id, user_id=user_id, post_id=post_id, at=now)]
