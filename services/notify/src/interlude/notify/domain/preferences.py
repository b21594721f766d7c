"""A person's say in when they are told by e-mail (aggregate ``preferences``, id = their user
id): per kind immediately, in a daily or weekly digest, or never; their own quiet hours, time
zone and digest hour. The in-app inbox is always on: it is not a preference."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from interlude.notify.domain.events import Kind, PreferencesChanged, QuietHours, Timing
from interlude.shared.errors import Invalid
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec

KINDS: tuple[str, ...] = get_args(Kind)
TIMINGS: tuple[str, ...] = get_args(Timing)
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

# what can wait for a digest unless the person says otherwise: reactions to their posts and
# news that asks nothing of them; everything that asks them to act goes at once
DAILY_BY_DEFAULT = frozenset({
    "checkin_acknowledged", "post_reacted", "post_shared", "insight_pinned", "post_commented",
    "allowance_renewed", "contract_amended", "policy_changed"})


def default_timing(kind: str) -> Timing:
    return "daily" if kind in DAILY_BY_DEFAULT else "immediately"


@dataclass(frozen=True)
class Preferences:
    email: dict[str, Timing] = field(default_factory=dict)  # only what differs from defaults
    quiet_hours: QuietHours | None = None
    time_zone: str = "UTC"
    digest_hour: int = 8
    changed: bool = False  # false: the person never said anything, the defaults hold

    def timing(self, kind: str) -> Timing:
        return self.email.get(kind, default_timing(kind))

    def every_timing(self) -> dict[str, Timing]:
        return {kind: self.timing(kind) for kind in KINDS}


def evolve(state: Preferences, event: Event) -> Preferences:
    if not isinstance(event, PreferencesChanged):
        return state
    return Preferences(email=dict(event.email), quiet_hours=event.quiet_hours,
                       time_zone=event.time_zone, digest_hour=event.digest_hour, changed=True)


PREFERENCES = AggregateSpec(name="preferences", initial=Preferences, evolve=evolve,
                            state_type=Preferences)


def check_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise Invalid(f"unknown time zone {name!r}: use an IANA name such as Europe/Paris",
                      field="time_zone") from err
    return name


def check_quiet_hours(hours: QuietHours | None) -> QuietHours | None:
    if hours is None:
        return None
    for value in (hours.start, hours.end):
        if not _HHMM.match(value):
            raise Invalid(f"quiet hours take HH:MM times, not {value!r}", field="quiet_hours")
    if hours.start == hours.end:
        raise Invalid("quiet hours must not start and end at the same time",
                      field="quiet_hours")
    check_time_zone(hours.time_zone)
    return hours


def change(state: Preferences, user_id: str, email: dict[str, str],
           quiet_hours: QuietHours | None, time_zone: str, digest_hour: int) -> list[Event]:
    """Set the whole preference set; nothing when it is what holds already."""
    for kind, timing in email.items():
        if kind not in KINDS:
            raise Invalid(f"no kind of notification is called {kind!r}", field="email")
        if timing not in TIMINGS:
            raise Invalid(f"e-mail timing {timing!r} is none of {', '.join(TIMINGS)}",
                          field="email")
    if not 0 <= digest_hour <= 23:
        raise Invalid("the digest hour is a local hour from 0 to 23", field="digest_hour")
    wanted = {k: t for k, t in email.items() if t != default_timing(k)}
    changed = PreferencesChanged(user_id=user_id, email=wanted,  # type: ignore[arg-type]
                                 quiet_hours=check_quiet_hours(quiet_hours),
                                 time_zone=check_time_zone(time_zone), digest_hour=digest_hour)
    if state.changed and evolve(state, changed) == state:
        return []
    return [changed]


def unsubscribe(state: Preferences, user_id: str, kind: str | None) -> list[Event]:
    """One-click unsubscribe: ``kind`` (or every kind, None) is never e-mailed again."""
    if kind is not None and kind not in KINDS:
        raise Invalid(f"no kind of notification is called {kind!r}", field="kind")
    email: dict[str, str] = {**state.email, **{k: "never" for k in ([kind] if kind else KINDS)}}
    return change(state, user_id, email, state.quiet_hours, state.time_zone, state.digest_hour)
