"""The notification aggregate and the pure rules of who is told what, with no server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import get_args

import pytest

from interlude.notify.app.engagement_reactions import nearly_used
from interlude.notify.app.telling import quiet_hours
from interlude.notify.app.wording import SAYS, says
from interlude.notify.domain import events as ev
from interlude.notify.domain.notification import NOTIFICATION, Notification, read
from interlude.shared.errors import NotFound

QUEUED = ev.NotificationQueued(
    recipient_id="amira", kind="coach_replied", cause_id="e1", cause_type="engagement.MessageSent",
    occurred_at=datetime(2026, 11, 2, tzinfo=UTC), actor_id="claire", link="/contracts/c/thread")


def test_only_the_recipient_reads_a_notification_and_only_once() -> None:
    state = NOTIFICATION.replay(Notification(), [QUEUED])
    with pytest.raises(NotFound):
        read(state, "claire")
    assert read(state, "amira") == [ev.NotificationRead(recipient_id="amira")]
    state = NOTIFICATION.replay(state, read(state, "amira"))
    assert state.read and read(state, "amira") == []


def test_a_notification_never_queued_is_not_found() -> None:
    with pytest.raises(NotFound):
        read(Notification(), "amira")


def test_the_same_cause_and_person_make_the_same_notification() -> None:
    assert ev.notification_id("e1", "amira") == ev.notification_id("e1", "amira")
    assert ev.notification_id("e1", "amira") != ev.notification_id("e1", "ben")
    assert ev.notification_id("e1", "amira") != ev.notification_id("e2", "amira")


def test_every_kind_says_something_without_content() -> None:
    assert set(SAYS) == set(get_args(ev.Kind))
    assert says("coach_replied", "Claire Coach") == "Claire Coach replied to you"
    assert says("post_hidden", "someone") == "Your post was hidden until the coach decides"


@pytest.mark.parametrize(("limit", "after"), [(1, 0), (2, 1), (4, 3), (8, 6), (20, 15)])
def test_the_allowance_is_nearly_used_when_a_quarter_is_left(limit: int, after: int) -> None:
    assert nearly_used(limit) == after


def test_quiet_hours_come_from_the_contracts_terms() -> None:
    terms = {"quiet_hours": {"start": "22:00:00", "end": "07:30:00",
                             "timezone": "Europe/Paris"}}
    assert quiet_hours(terms) == ev.QuietHours(start="22:00", end="07:30",
                                               time_zone="Europe/Paris")
    assert quiet_hours({"quiet_hours": None}) is None and quiet_hours(None) is None
