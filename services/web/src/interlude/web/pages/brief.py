"""The coach's one-page brief before a session: what happened since the last session held
(check-ins and moods, small wins, experiments and their results, goals, insights pinned,
messages still waiting), composed from engagement's reads."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlude.web.dashboard import line as dashboard_line
from interlude.web.deps import CoachDep, ContractId, WebDep
from interlude.web.pages.common import part
from interlude.web.wording import MOODS

router = APIRouter(include_in_schema=False)


def came_after(moment: str | None, since: datetime | None) -> bool:
    return moment is not None and (since is None or datetime.fromisoformat(moment) > since)


def since_last_session(sessions: dict[str, Any]) -> datetime | None:
    """When the last session held began: the brief covers what came after it."""
    held = [datetime.fromisoformat(s["starts_at"]) for s in sessions["sessions"]
            if s["status"] == "held"]
    return max(held) if held else None


@router.get("/contracts/{contract_id}/brief")
async def brief(request: Request, contract_id: ContractId, deps: WebDep,
                session: CoachDep) -> Response:
    path = f"/v1/contracts/{contract_id}"
    call = deps.upstream.call
    sessions, checkins, goals, thread, row = await asyncio.gather(
        call(session, "engagement", "GET", f"{path}/sessions"),
        part(call(session, "engagement", "GET", f"{path}/check-ins", params={"limit": 200})),
        part(call(session, "engagement", "GET", f"{path}/goals")),
        part(call(session, "engagement", "GET", f"{path}/messages", params={"limit": 1})),
        dashboard_line(deps, session, contract_id))
    since = since_last_session(sessions)
    recent = [c for c in (checkins.value or {}).get("check_ins", [])
              if came_after(c["posted_at"], since)]
    found = goals.value or {"goals": [], "experiments": []}
    upcoming = [s for s in sessions["sessions"] if s["status"] == "scheduled"
                and datetime.fromisoformat(s["starts_at"]) >= datetime.now(UTC)]
    return deps.pages.render(
        request, "coach/brief.html", session, title="Brief", contract_id=contract_id,
        name=row["coachee_name"] if row else None, since=since, moods=dict(MOODS),
        next_session=upcoming[0] if upcoming else None, checkins=recent,
        checkins_problem=checkins.problem, wins=[c for c in recent if c["small_win"]],
        reported=[x for x in found["experiments"] if came_after(x["reported_at"], since)],
        planned=[x for x in found["experiments"] if not x["reported_at"]],
        goals=[g for g in found["goals"] if g["status"] == "open"],
        insights=[i for i in (row or {}).get("recent_insights") or []
                  if came_after(i["pinned_at"], since)],
        waiting=(thread.value or {}).get("awaiting_reply"), thread_problem=thread.problem)
