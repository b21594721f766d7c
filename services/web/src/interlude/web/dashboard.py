"""A coach's dashboard line as the page shows it: the reasons and the facts in words, worked
out here once rather than by the template (fifty coachees make it the busiest page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interlude.web.render import moment
from interlude.web.wording import MOODS

LINKS = (("brief", "Brief", "on"), ("check-ins", "Check-ins", "of"),
         ("messages", "Messages", "with"), ("sessions", "Sessions", "with"),
         ("goals", "Goals", "of"), ("", "Contract", "with"))


@dataclass(frozen=True)
class Line:
    name: str
    contract_id: str
    reasons: list[str]
    facts: list[str]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def facts(row: dict[str, Any]) -> list[str]:
    said = []
    if (checkins := row.get("checkins")) is not None:
        last = row.get("last_checkin_at")
        said.append(_plural(checkins, "check-in") + (f", last {moment(last)}" if last else ""))
    if mood := row.get("last_mood"):
        said.append(f"Last mood: {dict(MOODS).get(mood, str(mood)).lower()}")
    if waiting := row.get("checkins_unacknowledged"):
        said.append(f"{waiting} to acknowledge")
    if unanswered := row.get("unanswered"):
        late = ", overdue" if row.get("reply_overdue") else ""
        said.append(f"{_plural(unanswered, 'message')} waiting{late}")
    if row["goals_open"] or row["experiments_open"]:
        said.append(f"{_plural(row['goals_open'], 'goal')} open, "
                    f"{_plural(row['experiments_open'], 'experiment')} under way")
    sessions = row["sessions"]
    planned = f" of {sessions['planned']}" if sessions.get("planned") else ""
    upcoming = f", next {moment(sessions['next_at'])}" if sessions.get("next_at") else ""
    said.append(f"Sessions: {sessions.get('held') or 0} held{planned}{upcoming}")
    return said


def lines(board: dict[str, Any]) -> list[Line]:
    return [Line(row["coachee_name"], row["contract_id"],
                 [reason[:1].upper() + reason[1:] for reason in row["reasons"]], facts(row))
            for row in board["coachees"]]
