"""How long an organisation's notifications are kept: its ``notify.retention_days``, never
longer than it keeps data (``data.retention_days``)."""

from __future__ import annotations

from interlude.notify.app.retention import retention_days
from interlude.shared.policy import DEFAULT_POLICY


def test_notifications_are_kept_180_days_unless_data_is_kept_less() -> None:
    assert retention_days(DEFAULT_POLICY) == 180
    assert retention_days(DEFAULT_POLICY.changed({"notify.retention_days": 400})) == 365
    assert retention_days(DEFAULT_POLICY.changed({"data.retention_days": 90})) == 90
    assert retention_days(DEFAULT_POLICY.changed({"notify.retention_days": 30,
                                                  "data.retention_days": 3650})) == 30
