"""The coachee's pages: home (next session, last check-in and the coach's answer, the
materials not done yet) and the check-in form."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlude.web.deps import CoacheeDep, ContractId, FormDep, WebDep
from interlude.web.pages.common import Part, key_of, named, new_key, part, sent, text
from interlude.web.pages.materials import waiting
from interlude.web.sessions import Session
from interlude.web.wording import MOODS

router = APIRouter(include_in_schema=False)


async def _contract_view(deps: WebDep, session: Session, summary: dict[str, Any]
                         ) -> dict[str, Any]:
    path = f"/v1/contracts/{summary['id']}"
    view: dict[str, Any] = {"contract": summary}
    if summary["status"] != "active":
        return view
    sessions, checkins, thread, shared = await asyncio.gather(
        part(deps.upstream.call(session, "engagement", "GET", f"{path}/sessions")),
        part(deps.upstream.call(session, "engagement", "GET", f"{path}/check-ins",
                                params={"limit": 1})),
        part(deps.upstream.call(session, "engagement", "GET", f"{path}/messages",
                                params={"limit": 500})),
        part(waiting(deps, session, summary["id"])))
    now = datetime.now(UTC)
    if sessions.value is not None:
        upcoming = [s for s in sessions.value["sessions"] if s["status"] == "scheduled"
                    and datetime.fromisoformat(s["starts_at"]) >= now]
        view["next_session"] = upcoming[0] if upcoming else None
    view["sessions"] = sessions
    view["last_checkin"] = Part(
        value=(checkins.value["check_ins"] or [None])[0] if checkins.value else None,
        problem=checkins.problem, slug=checkins.slug)
    view["thread"] = thread
    view["materials"] = shared
    if thread.value is not None:
        coach = [m for m in thread.value["messages"] if m["party"] == "coach"]
        view["coach_last"] = coach[-1] if coach else None
        seen = thread.value["read_up_to"].get("coachee", 0)
        view["unread"] = sum(1 for m in coach if m["number"] > seen)
    return view


@router.get("/home")
async def home(request: Request, deps: WebDep, session: CoacheeDep) -> Response:
    found = await deps.upstream.call(session, "engagement", "GET", "/v1/contracts")
    mine = [c for c in found["contracts"]
            if c["coachee_id"] == session.user_id and c["status"] != "ended"]
    coaches, *views = await asyncio.gather(
        part(named(deps, session, "coach")),
        *(_contract_view(deps, session, c) for c in mine))
    names = {p["id"]: p["name"] for p in coaches.value or []}
    for view in views:
        view["coach_name"] = names.get(view["contract"]["coach_id"])
    return deps.pages.render(request, "coachee/home.html", session, title="My coaching",
                             views=views, moods=dict(MOODS))


async def _check_in_page(request: Request, deps: WebDep, session: Session, contract_id: str,
                         *, status: int = 200, error: str | None = None,
                         values: dict[str, Any] | None = None) -> Response:
    path = f"/v1/contracts/{contract_id}"
    contract = await deps.upstream.call(session, "engagement", "GET", path)
    goals = await part(deps.upstream.call(session, "engagement", "GET", f"{path}/goals"))
    return deps.pages.render(
        request, "coachee/check_in.html", session, status=status, title="Check in",
        contract=contract, goals=goals.value or {"goals": [], "experiments": []},
        moods=MOODS, error=error, key=new_key(),
        values={"text": "", "mood": None, "small_win": False, "goal_id": "",
                "experiment_id": ""} | (values or {}))


@router.get("/contracts/{contract_id}/check-in")
async def check_in_form(request: Request, contract_id: ContractId, deps: WebDep,
                        session: CoacheeDep) -> Response:
    # check-ins switched off (by the organisation, or not agreed): said before anything is
    # typed, rather than refused after
    await deps.upstream.call(session, "engagement", "GET",
                             f"/v1/contracts/{contract_id}/check-ins", params={"limit": 1})
    return await _check_in_page(request, deps, session, contract_id)


@router.post("/contracts/{contract_id}/check-in")
async def check_in(request: Request, contract_id: ContractId, deps: WebDep, form: FormDep,
                   session: CoacheeDep) -> Response:
    mood = text(form, "mood", 2)
    values: dict[str, Any] = {
        "text": text(form, "text"), "mood": int(mood) if mood in {"1", "2", "3", "4", "5"}
        else None, "small_win": form.get("small_win") == "yes",
        "goal_id": text(form, "goal_id", 64) or None,
        "experiment_id": text(form, "experiment_id", 64) or None}
    if not values["text"]:
        return await _check_in_page(request, deps, session, contract_id, status=400,
                                    error="Please write a few words about how it is going.",
                                    values=values)

    async def again(status: int, error: str) -> Response:
        return await _check_in_page(request, deps, session, contract_id, status=status,
                                    error=error, values=values)

    write = deps.upstream.call(session, "engagement", "POST",
                               f"/v1/contracts/{contract_id}/check-ins", json=values,
                               idempotency_key=key_of(form))
    return await sent(session, write, done="Thank you: your check-in is with your coach.",
                      again=again, back="/home")
