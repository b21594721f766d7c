"""Who needs the coach's attention first. Pure: the dashboard's facts and the time in, a score
and its reasons out, so the order can be explained on screen.

The facts of a feature the organisation has switched off are not given at all (``None``), so
neither the score nor the reasons can be moved by them: a block removes the facts from every
answer, including what is computed from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


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
            and now - messages.oldest_waiting_at > timedelta(hours=messages.reply_window_hours))


def _messages(messages: Messages, now: datetime) -> tuple[int, list[str]]:
    score, reasons = 0, []
    if overdue(messages, now):
        score += 100
        reasons.append("reply overdue")
    if messages.unanswered:
        score += 20 + 5 * min(messages.unanswered, 10)
        reasons.append(f"{messages.unanswered} unanswered message(s)")
    return score, reasons


def _checkins(checkins: CheckIns, now: datetime) -> tuple[int, list[str]]:
    score, reasons = 0, []
    if checkins.unacknowledged:
        score += 10 + 2 * min(checkins.unacknowledged, 10)
        reasons.append(f"{checkins.unacknowledged} check-in(s) to acknowledge")
    if checkins.last_mood is not None and checkins.last_mood <= 2:
        score += 15
        reasons.append("low mood in the last check-in")
    quiet = (now - checkins.last_at).days if checkins.last_at else None
    if quiet is None or quiet >= 7:
        score += 10
        reasons.append("no check-in for a week" if quiet is not None else "no check-in yet")
    return score, reasons


def attention(facts: Facts, now: datetime) -> tuple[int, list[str]]:
    score, reasons = 0, list[str]()
    if facts.messages is not None:  # blocked facts are absent: they move nothing
        score, reasons = _messages(facts.messages, now)
    if facts.checkins is not None:
        more, why = _checkins(facts.checkins, now)
        score, reasons = score + more, reasons + why
    if facts.next_session_at is None and facts.sessions_held < facts.sessions_planned:
        score += 8
        reasons.append("no next session scheduled")
    return score, reasons
