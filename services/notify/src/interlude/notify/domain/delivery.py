"""When an e-mail may go, and what it may say: pure rules, time and names as arguments.

Quiet hours are local wall-clock windows (they may wrap midnight) in their own time zone; a
moment inside one is held until the window ends, and when several windows apply (the
contract's and the person's own) until none holds it. Digests go out at the recipient's local
digest hour, daily or on Mondays. Wall-clock times that a DST change skips or repeats resolve
to the first instant at or after them, so nothing is ever scheduled in the past of its window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from interlude.notify.domain.events import QuietHours, Timing

WEEKLY_DAY = 0  # Monday


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant the wall clock of ``zone`` shows ``at`` on ``day``. In a repeated hour (fall
    back) the first of the two; in a skipped one (spring forward) fold 0 reads the time with
    the offset before the jump, which lands as far after the jump as it was into the gap."""
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def quiet_until(moment: datetime, hours: QuietHours) -> datetime | None:
    """When the window holding ``moment`` ends; None if ``moment`` is outside it."""
    zone = ZoneInfo(hours.time_zone)
    local = moment.astimezone(zone)
    start, end = _hhmm(hours.start), _hhmm(hours.end)
    now = local.time().replace(tzinfo=None)
    wraps = start > end
    inside = (start <= now or now < end) if wraps else (start <= now < end)
    if not inside:
        return None
    day = local.date()
    if wraps and now >= start:  # an evening inside a window that ends tomorrow morning
        day += timedelta(days=1)
    ends = _local(day, end, zone)
    return ends if ends > moment else None


def release_at(moment: datetime, windows: Iterable[QuietHours | None]) -> datetime:
    """The first instant at or after ``moment`` that no window holds."""
    active = [w for w in windows if w is not None]
    for _ in range(8):  # windows end and open in turn a few times at most
        later = [end for w in active if (end := quiet_until(moment, w)) is not None]
        if not later:
            return moment
        moment = max(later)
    return moment


def next_digest(moment: datetime, time_zone: str, hour: int, weekly: bool) -> datetime:
    """The next local ``hour``:00 strictly after ``moment`` (on a Monday when ``weekly``)."""
    zone = ZoneInfo(time_zone)
    day = moment.astimezone(zone).date()
    for offset in range(9):
        candidate_day = day + timedelta(days=offset)
        if weekly and candidate_day.weekday() != WEEKLY_DAY:
            continue
        candidate = _local(candidate_day, time(hour), zone)
        if candidate > moment:
            return candidate
    raise AssertionError("a digest hour comes within nine days")


@dataclass(frozen=True)
class When:
    """The recipient's side of the decision."""

    timing: Timing
    time_zone: str = "UTC"
    digest_hour: int = 8
    own_quiet_hours: QuietHours | None = None


def email_due(moment: datetime, when: When, contract_quiet_hours: QuietHours | None
              ) -> datetime | None:
    """When an e-mail about something that happened at ``moment`` goes; None: never. A digest
    hour that falls in quiet hours waits for them to end too."""
    windows = (contract_quiet_hours, when.own_quiet_hours)
    if when.timing == "never":
        return None
    if when.timing == "immediately":
        return release_at(moment, windows)
    digest = next_digest(moment, when.time_zone, when.digest_hour, when.timing == "weekly")
    return release_at(digest, windows)


def retry_delay(attempt: int, base_seconds: float, ceiling_seconds: float) -> timedelta:
    """Exponential backoff: ``base`` after the first failure, doubling, at most ``ceiling``."""
    return timedelta(seconds=min(base_seconds * 2 ** max(attempt - 1, 0), ceiling_seconds))
