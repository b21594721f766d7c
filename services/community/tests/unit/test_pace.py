"""Slow mode as the member's pace aggregate decides it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from interlude.community.domain import pace
from interlude.community.domain.errors import SlowMode

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def keep(state: pace.Pace, post_id: str, now: datetime,
         earlier: datetime | None = None) -> pace.Pace:
    events = pace.keep(state, space_id="s", user_id="u", post_id=post_id, now=now,
                       slow_mode_s=600, earlier=earlier)
    return pace.PACE.replay(state, events)


def test_a_second_post_within_slow_mode_is_refused_with_the_seconds_to_wait() -> None:
    state = keep(pace.Pace(), "p1", NOW)
    with pytest.raises(SlowMode) as refused:
        keep(state, "p2", NOW + timedelta(seconds=60))
    assert refused.value.extra["retry_after"] == 541
    assert keep(state, "p2", NOW + timedelta(seconds=600)).last_post_id == "p2"


def test_a_retried_post_is_counted_once_and_earlier_posts_count_too() -> None:
    state = keep(pace.Pace(), "p1", NOW)
    assert pace.keep(state, space_id="s", user_id="u", post_id="p1",
                     now=NOW + timedelta(seconds=1), slow_mode_s=600) == []
    with pytest.raises(SlowMode):
        keep(pace.Pace(), "p9", NOW, earlier=NOW - timedelta(seconds=10))
