"""The coach's pages: the dashboard ordered by who needs attention, with the reasons, and a
coachee's check-ins to acknowledge (a like, or a question)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from interlude.web.dashboard import page as dashboard_lines
from interlude.web.deps import CoachDep, ContractId, FormDep, ItemId, SessionDep, WebDep
from interlude.web.pages.common import part, text
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import MOODS

router = APIRouter(include_in_schema=False)


@router.get("/dashboard")
async def dashboard(request: Request, deps: WebDep, session: CoachDep) -> Response:
    board = await deps.upstream.call(session, "engagement", "GET", "/v1/dashboard")
    return deps.pages.render(request, "coach/dashboard.html", session, title="My coachees",
                             board=board, lines=dashboard_lines(board))


@router.get("/contracts/{contract_id}/check-ins")
async def check_ins(request: Request, contract_id: ContractId, deps: WebDep,
                    session: SessionDep) -> Response:
    path = f"/v1/contracts/{contract_id}"
    contract, found = await asyncio.gather(
        deps.upstream.call(session, "engagement", "GET", path),
        deps.upstream.call(session, "engagement", "GET", f"{path}/check-ins",
                           params={"limit": 50}))
    name = None
    if contract["your_part"] == "coach":
        board = await part(deps.upstream.call(session, "engagement", "GET", "/v1/dashboard"))
        rows = (board.value or {}).get("coachees", [])
        name = next((r["coachee_name"] for r in rows if r["contract_id"] == contract_id), None)
    return deps.pages.render(request, "check_ins.html", session, title="Check-ins",
                             contract=contract, check_ins=found["check_ins"], name=name,
                             moods=dict(MOODS))


@router.post("/contracts/{contract_id}/check-ins/{checkin_id}/acknowledgement")
async def acknowledge(request: Request, contract_id: ContractId, checkin_id: ItemId,
                      deps: WebDep, session: CoachDep, form: FormDep) -> Response:
    question = text(form, "question")
    body = {"kind": "question", "question": question} if question else {"kind": "like"}
    if text(form, "kind", 10) == "question" and not question:
        raise UpstreamProblem(400, "question-empty", "write your question first, then send it")
    await deps.upstream.call(session, "engagement", "POST",
                             f"/v1/contracts/{contract_id}/check-ins/{checkin_id}"
                             "/acknowledgements", json=body)
    session.flash.append("Your question is sent." if question else "You liked this check-in.")
    return RedirectResponse(f"/contracts/{contract_id}/check-ins", status_code=303)
