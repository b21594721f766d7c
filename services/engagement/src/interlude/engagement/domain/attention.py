"""Who needs the coach's attention first. Pure: the dashboard's facts and the time in, a score
and its reasons out, so the order can be explained on screen.

The facts of a feature the organisation has switched off are not given at all (``None``), so
neither the score nor the reasons can be moved by them: a block removes the facts from every
answer, including what is computed from them.

The score changes with time only when a deadline passes (:func:`reply_due`, :func:`quiet_from`,
the start of the last session scheduled): the read model keeps those on each row, and the
dashboard's ordering computes this same score in SQL from them
(``projections/dashboard_page.py``, held to agree with :func:`attention` by its tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

OVERDUE = 100  # a reply is overdue
UNANSWERED, PER_UNANSWERED = 20, 5  # coachee messages waiting, and each of them
TO_ACKNOWLEDGE, PER_TO_ACKNOWLEDGE = 10, 2  # check-ins to acknowledge, and each of them
COUNTED_UP_TO = 10  # of the messages or check-ins waiting, this many count each
LOW_MOOD, LOW_MOOD_AT_MOST = 15, 2
QUIET, QUIET_AFTER = 10, timedelta(days=7)  # no check-in yet, or none for a week
NO_NEXT_SESSION = 8  # sessions left in the plan, none scheduled ahead


def reply_due(oldest_waiting_at: datetime, reply_window_hours: int) -> datetime:
    """After this, the oldest waiting message's reply is overdue."""
    return oldest_waiting_at + timedelta(hours=reply_window_hours)


def quiet_from(last_checkin_at: datetime) -> datetime:
    """From this on, the coachee has not checked in for a week."""
    return last_checkin_at + QUIET_AFTER


@dataclass(frozen=True)
class Messages:
    unanswered: int
    oldest_waiting_at: datetime | None
    reply_window_hours: int


@dataclass(frozen=True)
class CheckIns:
    last_at: datetime | None
    unacknowledged: int
    last_mood: int | None


@dataclass(frozen=True)
class Facts:
    sessions_planned: int
    sessions_held: int
    next_session_at: datetime | None
    messages: Messages | None = None  # None: messaging is switched off
    checkins: CheckIns | None = None  # None: check-ins are switched off


def overdue(messages: Messages, now: datetime) -> bool:
    """A coachee's message has waited longer than the agreed reply window."""
    return (messages.oldest_waiting_at is not None
            and now > reply_due(messages.oldest_waiting_at, messages.reply_window_hours))


def counted(n: int, thing: str, after: str = "") -> str:
    """``1 unanswered message``, ``2 unanswered messages`` (a reason a coach reads)."""
    return f"{n} {thing}{'' if n == 1 else 's'}{after}"


def _messages(messages: Messages, now: datetime) -> tuple[int, list[str]]:
    score, reasons = 0, []
    if overdue(messages, now):
        score += OVERDUE
        reasons.append("reply overdue")
    if messages.unanswered:
        score += UNANSWERED + PER_UNANSWERED * min(messages.unanswered, COUNTED_UP_TO)
        reasons.append(counted(messages.unanswered, "unanswered message"))
    return score, reasons


def _checkins(checkins: CheckIns, now: datetime) -> tuple[int, list[str]]:
    score, reasons = 0, []
    if checkins.unacknowledged:
        score += TO_ACKNOWLEDGE + PER_TO_ACKNOWLEDGE * min(checkins.unacknowledged, COUNTED_UP_TO)
        reasons.append(counted(checkins.unacknowledged, "check-in", " to acknowledge"))
    if checkins.last_mood is not None and checkins.last_mood <= LOW_MOOD_AT_MOST:
        score += LOW_MOOD
        reasons.append("low mood in the last check-in")
    if checkins.last_at is None:
        score += QUIET
        reasons.append("no check-in yet")
    elif now >= quiet_from(checkins.last_at):
        score += QUIET
        reasons.append("no check-in for a week")
    return score, reasons


def attention(facts: Facts, now: datetime) -> tuple[int, list[str]]:
    score, reasons = 0, list[str]()
    if facts.messages is not None:  # blocked facts are absent: they move nothing
        score, reasons = _messages(facts.messages, now)
    if facts.checkins is not None:
        more, why = _checkins(facts.checkins, now)
        score, reasons = score + more, reasons + why
    if facts.next_session_at is None and facts.sessions_held < facts.sessions_planned:
        score += NO_NEXT_SESSION
        reasons.append("no next session scheduled")
    return score, reasons
