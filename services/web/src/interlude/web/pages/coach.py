"""The coach's pages: the dashboard ordered by who needs attention, with the reasons, and a
coachee's check-ins to acknowledge (a like, or a question)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from interlude.web.dashboard import line as dashboard_line
from interlude.web.dashboard import page as dashboard_lines
from interlude.web.dashboard import switched_off, totals
from interlude.web.deps import CoachDep, ContractId, FormDep, ItemId, SessionDep, WebDep
from interlude.web.pages.cohorts import cohorts
from interlude.web.pages.common import sent, text
from interlude.web.pages.community import API, SpaceId
from interlude.web.sessions import Session
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import MOODS

router = APIRouter(include_in_schema=False)
Cursor = Annotated[str | None, Query(max_length=400)]


async def dashboard_page(request: Request, deps: WebDep, session: Session, *,
                         status: int = 200, error: str | None = None,
                         cursor: str | None = None) -> Response:
    """A page of the coach's coachees (the next one through a plain link carrying the
    engagement API's cursor), with how many they are and how many need the coach now."""
    board, held = await asyncio.gather(
        deps.upstream.call(session, "engagement", "GET", "/v1/dashboard",
                           params={"cursor": cursor} if cursor else None),
        cohorts(deps, session))
    return deps.pages.render(request, "coach/dashboard.html", session, status=status,
                             title="My coachees", board=board, lines=dashboard_lines(board),
                             totals=totals(board), paged=cursor is not None, cohorts=held,
                             error=error, switched_off=switched_off(board))


@router.get("/dashboard")
async def dashboard(request: Request, deps: WebDep, session: CoachDep,
                    cursor: Cursor = None) -> Response:
    try:
        return await dashboard_page(request, deps, session, cursor=cursor)
    except UpstreamProblem as problem:
        if problem.slug != "bad-cursor":
            raise
        return await dashboard_page(request, deps, session, status=400, error=(
            "That link to more of your coachees was not one this page gave; here is the "
            "first page."))


@router.post("/dashboard/cohorts/{space_id}/quiet-members/{handle}/invitation")
async def invite_quiet(request: Request, space_id: SpaceId, handle: ItemId, deps: WebDep,
                       session: CoachDep, form: FormDep) -> Response:
    """The gentle invitation, sent from the dashboard's cohorts (back to them)."""
    async def again(status: int, error: str) -> Response:
        return await dashboard_page(request, deps, session, status=status, error=error)

    deps.cohorts.forget(session.id)
    write = deps.upstream.call(session, "community", "POST",
                               f"{API}/{space_id}/quiet-members/{handle}/invitation")
    return await sent(session, write, again=again, back="/dashboard#cohorts",
                      done="Your invitation is on its way: they are told gently, as a "
                           "notification.")


async def _check_ins_page(request: Request, deps: WebDep, session: Session, contract_id: str,
                          *, status: int = 200, error: str | None = None, at: str = "",
                          typed: str = "") -> Response:
    """The check-ins, newest first; ``at`` the one whose question was refused, shown there
    with the reason and what was typed."""
    path = f"/v1/contracts/{contract_id}"
    contract, found = await asyncio.gather(
        deps.upstream.call(session, "engagement", "GET", path),
        deps.upstream.call(session, "engagement", "GET", f"{path}/check-ins",
                           params={"limit": 50}))
    name = None
    if contract["your_part"] == "coach":
        name = (await dashboard_line(deps, session, contract_id) or {}).get("coachee_name")
    return deps.pages.render(request, "check_ins.html", session, status=status,
                             title="Check-ins", contract=contract,
                             check_ins=found["check_ins"], name=name, moods=dict(MOODS),
                             error=error, at=at, typed=typed)


@router.get("/contracts/{contract_id}/check-ins")
async def check_ins(request: Request, contract_id: ContractId, deps: WebDep,
                    session: SessionDep) -> Response:
    return await _check_ins_page(request, deps, session, contract_id)


@router.post("/contracts/{contract_id}/check-ins/{checkin_id}/acknowledgement")
async def acknowledge(request: Request, contract_id: ContractId, checkin_id: ItemId,
                      deps: WebDep, session: CoachDep, form: FormDep) -> Response:
    question = text(form, "question")
    body = {"kind": "question", "question": question} if question else {"kind": "like"}

    async def again(status: int, error: str) -> Response:  # the question stays where it was
        return await _check_ins_page(request, deps, session, contract_id, status=status,
                                     error=error, at=checkin_id, typed=question)

    if text(form, "kind", 10) == "question" and not question:
        return await again(400, "Write your question first, then send it.")
    write = deps.upstream.call(session, "engagement", "POST",
                               f"/v1/contracts/{contract_id}/check-ins/{checkin_id}"
                               "/acknowledgements", json=body)
    return await sent(session, write, again=again,
                      done="Your question is sent." if question else "You liked this check-in.",
                      back=f"/contracts/{contract_id}/check-ins")
