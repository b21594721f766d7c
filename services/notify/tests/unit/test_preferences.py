"""A person's preferences: defaults, changes, validation, one-click unsubscribe."""

from __future__ import annotations

import pytest

from interlude.notify.domain import preferences as prefs
from interlude.notify.domain import unsubscribe as tokens
from interlude.notify.domain.events import PreferencesChanged, QuietHours
from interlude.shared.errors import Invalid


def applied(state: prefs.Preferences, events: list) -> prefs.Preferences:
    for event in events:
        state = prefs.evolve(state, event)
    return state


def test_without_a_choice_urgent_kinds_go_at_once_and_reactions_wait_for_the_digest() -> None:
    state = prefs.Preferences()
    assert state.timing("coach_replied") == "immediately"
    assert state.timing("post_reacted") == "daily"
    assert set(state.every_timing()) == set(prefs.KINDS)


def test_a_change_is_kept_and_the_same_change_again_is_nothing() -> None:
    hours = QuietHours(start="21:00", end="08:00", time_zone="Europe/Berlin")
    events = prefs.change(prefs.Preferences(), "u1", {"coach_replied": "weekly"}, hours,
                          "Europe/Berlin", 19)
    state = applied(prefs.Preferences(), events)
    assert state.timing("coach_replied") == "weekly"
    assert state.quiet_hours == hours and state.digest_hour == 19
    assert prefs.change(state, "u1", {"coach_replied": "weekly"}, hours, "Europe/Berlin",
                        19) == []


@pytest.mark.parametrize(("email", "zone", "hour", "hours"), [
    ({"no_such_kind": "daily"}, "UTC", 8, None),
    ({"coach_replied": "hourly"}, "UTC", 8, None),
    ({}, "Mars/Olympus", 8, None),
    ({}, "UTC", 24, None),
    ({}, "UTC", 8, QuietHours(start="25:00", end="07:00")),
    ({}, "UTC", 8, QuietHours(start="07:00", end="07:00")),
    ({}, "UTC", 8, QuietHours(start="22:00", end="07:00", time_zone="Nowhere/Town")),
])
def test_invalid_preferences_are_refused(email: dict, zone: str, hour: int,
                                         hours: QuietHours | None) -> None:
    with pytest.raises(Invalid):
        prefs.change(prefs.Preferences(), "u1", email, hours, zone, hour)


def test_unsubscribing_from_one_kind_keeps_the_others() -> None:
    state = applied(prefs.Preferences(), prefs.unsubscribe(prefs.Preferences(), "u1",
                                                           "coach_replied"))
    assert state.timing("coach_replied") == "never"
    assert state.timing("checkin_questioned") == "immediately"


def test_unsubscribing_from_everything_stops_every_kind() -> None:
    events = prefs.unsubscribe(prefs.Preferences(), "u1", None)
    assert isinstance(events[0], PreferencesChanged)
    assert set(applied(prefs.Preferences(), events).every_timing().values()) == {"never"}


def test_an_unsubscribe_token_says_who_and_what_and_cannot_be_forged() -> None:
    secret = b"k" * 32
    token = tokens.token(secret, "t1", "u1", "coach_replied")
    assert tokens.read(secret, token) == tokens.Unsubscribe("t1", "u1", "coach_replied")
    assert tokens.read(secret, tokens.token(secret, "t1", "u1", None)).kind is None
    body, mac = token.split(".")
    forged = tokens.token(b"x" * 32, "t1", "u2", "coach_replied")
    for bad in (forged, f"{forged.split('.')[0]}.{mac}", "garbage", body, token + "x"):
        with pytest.raises(tokens.BadToken):
            tokens.read(secret, bad)
