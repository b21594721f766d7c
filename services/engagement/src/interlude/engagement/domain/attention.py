"""Who needs the coach's attention first. Pure: the dashboard's facts and the time in, a score
and its reasons out, so the order can be explained on screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Facts:
    unanswered: int
    oldest_waiting_at: datetime | None
    reply_window_hours: int
    last_checkin_at: datetime | None
    checkins_unacknowledged: int
    sessions_planned: int
    sessions_held: int
    next_session_at: datetime | None
    last_mood: int | None


def overdue(facts: Facts, now: datetime) -> bool:
    """A coachee's message has waited longer than the agreed reply window."""
    return (facts.oldest_waiting_at is not None
            and now - facts.oldest_waiting_at > timedelta(hours=facts.reply_window_hours))


def attention(facts: Facts, now: datetime) -> tuple[int, list[str]]:
    score, reasons = 0, []
    if overdue(facts, now):
        score += 100
        reasons.append("reply overdue")
    if facts.unanswered:
        score += 20 + 5 * min(facts.unanswered, 10)
        reasons.append(f"{facts.unanswered} unanswered message(s)")
    if facts.checkins_unacknowledged:
        score += 10 + 2 * min(facts.checkins_unacknowledged, 10)
        reasons.append(f"{facts.checkins_unacknowledged} check-in(s) to acknowledge")
    if facts.last_mood is not None and facts.last_mood <= 2:
        score += 15
        reasons.append("low mood in the last check-in")
    quiet = (now - facts.last_checkin_at).days if facts.last_checkin_at else None
    if quiet is None or quiet >= 7:
        score += 10
        reasons.append("no check-in for a week" if quiet is not None else "no check-in yet")
    if facts.next_session_at is None and facts.sessions_held < facts.sessions_planned:
        score += 8
        reasons.append("no next session scheduled")
    return score, reasons
