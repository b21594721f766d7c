"""A coach's dashboard line as the page shows it: the reasons and the facts in words, worked
out here once rather than by the template (fifty coachees make it the busiest page).

Each line is also made into HTML here, every value escaped once: the template's loops over
seven links, the reasons and the facts cost most of the page's time (each name was escaped
seven times), and the markup is the same for every line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from interlude.web.deps import Web
from interlude.web.render import moment
from interlude.web.sessions import Session
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import MOODS

LINKS = (("brief", "Brief", "on"), ("check-ins", "Check-ins", "of"),
         ("messages", "Messages", "with"), ("sessions", "Sessions", "with"),
         ("goals", "Goals", "of"), ("materials", "Materials", "for"),
         ("", "Contract", "with"))
# what the organisation may switch off, in a coach's words, and the link each takes away
SWITCHED_OFF = {"checkins.enabled": ("check-ins", "check-ins"),
                "messaging.enabled": ("messages", "messages"),
                "community.enabled": ("the community", None),
                "materials.enabled": ("materials", "materials")}
_MOODS = dict(MOODS)


@dataclass(frozen=True)
class Line:
    name: str
    contract_id: str
    reasons: list[str]
    facts: list[str]
    off: frozenset[str] = frozenset()  # the links to features switched off

    @property
    def html(self) -> Markup:
        """The line's ``<li>``, as ``coach/dashboard.html`` once wrote it."""
        name, where = escape(self.name), escape(self.contract_id)
        reasons = (f'<ul class="reasons" aria-label="Why now">{_items(self.reasons)}</ul>'
                   if self.reasons else "<p>Nothing needs you just now.</p>")
        links = "".join(
            f'<a href="/contracts/{where}{"/" + path if path else ""}">{label}'
            f'<span class="visually-hidden"> {how} {name}</span></a>'
            for path, label, how in LINKS if path not in self.off)
        return Markup(f'<li><h2>{name}</h2>{reasons}<ul class="facts">{_items(self.facts)}'
                      f'</ul><p class="actions">{links}</p></li>')


def _items(texts: list[str]) -> str:
    return "".join(f"<li>{escape(text)}</li>" for text in texts)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def facts(row: dict[str, Any]) -> list[str]:
    said = []
    if (checkins := row.get("checkins")) is not None:
        last = row.get("last_checkin_at")
        said.append(_plural(checkins, "check-in") + (f", last {moment(last)}" if last else ""))
    if mood := row.get("last_mood"):
        said.append(f"Last mood: {_MOODS.get(mood, str(mood)).lower()}")
    if waiting := row.get("checkins_unacknowledged"):
        said.append(f"{waiting} to acknowledge")
    if unanswered := row.get("unanswered"):
        late = ", overdue" if row.get("reply_overdue") else ""
        said.append(f"{_plural(unanswered, 'message')} waiting{late}")
    if row["goals_open"] or row["experiments_open"]:
        said.append(f"{_plural(row['goals_open'], 'goal')} open, "
                    f"{_plural(row['experiments_open'], 'experiment')} under way")
    if shared := (row.get("materials") or {}).get("shared"):
        counts = row["materials"]
        said.append(f"Materials: {shared} shared, {counts['opened']} opened, "
                    f"{counts['done']} done")
    sessions = row["sessions"]
    planned = f" of {sessions['planned']}" if sessions.get("planned") else ""
    upcoming = f", next {moment(sessions['next_at'])}" if sessions.get("next_at") else ""
    said.append(f"Sessions: {sessions.get('held') or 0} held{planned}{upcoming}")
    return said


def lines(board: dict[str, Any]) -> list[Line]:
    off = frozenset(SWITCHED_OFF[key][1] or "" for key in board.get("blocked") or []
                    if key in SWITCHED_OFF) - {""}
    return [Line(row["coachee_name"], row["contract_id"],
                 [reason[:1].upper() + reason[1:] for reason in row["reasons"]], facts(row),
                 off)
            for row in board["coachees"]]


def switched_off(board: dict[str, Any]) -> str | None:
    """What the organisation switched off, in words, or None: the page leaves it out."""
    named = [SWITCHED_OFF.get(key, (key, None))[0] for key in board.get("blocked") or []]
    if not named:
        return None
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    return (f"Your organisation has switched off {listed}: this page leaves "
            f"{'it' if len(named) == 1 else 'them'} out.")


def page(board: dict[str, Any]) -> Markup:
    """Every line of the board, ready for the page."""
    return Markup("".join(line.html for line in lines(board)))


def totals(board: dict[str, Any]) -> str:
    """The caseload in words, above the page: how many, and how many need the coach now."""
    waiting = board["needing_attention"]
    return (f"{_plural(board['total'], 'coachee')}; "
            f"{waiting or 'none'} {'needs' if waiting <= 1 else 'need'}"
            " your attention now.")


async def line(deps: Web, session: Session, contract_id: str) -> dict[str, Any] | None:
    """One coachee's line of the coach's dashboard (their name, their recent insights), or
    None when it cannot be had (the contract is not an active one of theirs, say): the page
    that wanted it shows without it."""
    try:
        found: dict[str, Any] = await deps.upstream.call(
            session, "engagement", "GET", f"/v1/dashboard/{contract_id}")
    except UpstreamProblem as problem:
        if problem.status == 401:
            raise  # not signed in any more: the whole page says so
        return None
    return found


async def every_line(deps: Web, session: Session) -> list[dict[str, Any]]:
    """Every line of the coach's dashboard, page after page (for a choice among all their
    coachees: its cost is the caseload's)."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100}
    while True:
        board = await deps.upstream.call(session, "engagement", "GET", "/v1/dashboard",
                                         params=params)
        found += board["coachees"]
        if not board.get("next_cursor"):
            return found
        params = {"limit": 100, "cursor": board["next_cursor"]}
