"""When an e-mail goes: quiet hours (wrapping midnight, in their time zone, across DST), the
person's and the contract's windows together, and digests at the local digest hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from interlude.notify.domain.delivery import (
    When,
    email_due,
    next_digest,
    quiet_until,
    release_at,
    retry_delay,
)
from interlude.notify.domain.events import QuietHours

NIGHT_PARIS = QuietHours(start="22:00", end="07:30", time_zone="Europe/Paris")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_a_message_in_the_evening_waits_for_the_morning_after_midnight() -> None:
    assert quiet_until(at("2026-06-10T23:15+02:00"), NIGHT_PARIS) == at("2026-06-11T07:30+02:00")


def test_a_message_after_midnight_waits_for_the_same_morning() -> None:
    assert quiet_until(at("2026-06-11T03:00+02:00"), NIGHT_PARIS) == at("2026-06-11T07:30+02:00")


def test_a_message_outside_the_window_is_not_held() -> None:
    assert quiet_until(at("2026-06-11T12:00+02:00"), NIGHT_PARIS) is None
    assert quiet_until(at("2026-06-11T07:30+02:00"), NIGHT_PARIS) is None  # the end is open
    assert quiet_until(at("2026-06-11T22:00+02:00"), NIGHT_PARIS) is not None


def test_a_window_within_one_day_holds_until_it_ends() -> None:
    lunch = QuietHours(start="12:00", end="14:00", time_zone="Asia/Tokyo")
    assert quiet_until(at("2026-06-11T13:00+09:00"), lunch) == at("2026-06-11T14:00+09:00")
    assert quiet_until(at("2026-06-11T11:59+09:00"), lunch) is None


def test_the_window_is_read_in_its_own_time_zone() -> None:
    # 23:00 in London is midnight in Paris: inside Paris' night, whatever the server's zone
    assert quiet_until(at("2026-06-10T23:00+01:00"), NIGHT_PARIS) == at("2026-06-11T07:30+02:00")


def test_the_night_the_clocks_go_forward_still_ends_at_the_local_time() -> None:
    # Europe/Paris springs forward on 2026-03-29 at 02:00: 07:30 that morning is UTC+2
    assert quiet_until(at("2026-03-28T23:00+01:00"), NIGHT_PARIS) == at("2026-03-29T07:30+02:00")


def test_the_night_the_clocks_go_back_still_ends_at_the_local_time() -> None:
    assert quiet_until(at("2026-10-24T23:00+02:00"), NIGHT_PARIS) == at("2026-10-25T07:30+01:00")


def test_a_window_ending_in_the_skipped_hour_ends_after_the_jump() -> None:
    early = QuietHours(start="01:00", end="02:30", time_zone="Europe/Paris")
    released = quiet_until(at("2026-03-29T01:30+01:00"), early)
    assert released is not None
    assert at("2026-03-29T03:00+02:00") <= released <= at("2026-03-29T03:30+02:00")


def test_the_later_end_of_the_contracts_and_the_persons_window_wins() -> None:
    mine = QuietHours(start="06:00", end="09:00", time_zone="Europe/Paris")
    # held by the contract's night until 07:30, which is inside the person's own until 09:00
    assert release_at(at("2026-06-11T01:00+02:00"), [NIGHT_PARIS, mine]) == \
        at("2026-06-11T09:00+02:00")
    assert release_at(at("2026-06-11T10:00+02:00"), [NIGHT_PARIS, mine, None]) == \
        at("2026-06-11T10:00+02:00")


def test_a_daily_digest_goes_at_the_next_local_digest_hour() -> None:
    assert next_digest(at("2026-06-11T09:15+02:00"), "Europe/Paris", 8, weekly=False) == \
        at("2026-06-12T08:00+02:00")
    assert next_digest(at("2026-06-11T07:15+02:00"), "Europe/Paris", 8, weekly=False) == \
        at("2026-06-11T08:00+02:00")


def test_a_weekly_digest_goes_on_monday() -> None:
    due = next_digest(at("2026-06-11T09:15-04:00"), "America/New_York", 18, weekly=True)
    assert due == at("2026-06-15T18:00-04:00")  # 2026-06-11 is a Thursday


def test_email_due_follows_the_timing() -> None:
    evening = at("2026-06-10T23:15+02:00")
    assert email_due(evening, When("never"), None) is None
    assert email_due(evening, When("immediately"), None) == evening
    assert email_due(evening, When("immediately"), NIGHT_PARIS) == at("2026-06-11T07:30+02:00")
    digest_in_the_night = When("daily", "Europe/Paris", 6)
    assert email_due(evening, digest_in_the_night, NIGHT_PARIS) == at("2026-06-11T07:30+02:00")


def test_retries_back_off_doubling_up_to_a_ceiling() -> None:
    delays = [retry_delay(n, 30, 3600) for n in range(1, 10)]
    assert delays[:3] == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert delays[-1] == timedelta(hours=1)
