"""The thread between a coach and a coachee, with the reply allowance shown before sending."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlude.web.deps import ContractId, FormDep, SessionDep, WebDep
from interlude.web.pages.common import key_of, new_key, sent, text
from interlude.web.sessions import Session
from interlude.web.upstream import UpstreamProblem

router = APIRouter(include_in_schema=False)


async def _thread_page(request: Request, deps: WebDep, session: Session, contract_id: str, *,
                       status: int = 200, error: str | None = None, draft: str = "") -> Response:
    path = f"/v1/contracts/{contract_id}"
    contract, thread = await asyncio.gather(
        deps.upstream.call(session, "engagement", "GET", path),
        deps.upstream.call(session, "engagement", "GET", f"{path}/messages",
                           params={"limit": 500}))
    part = contract["your_part"]
    if part not in ("coach", "coachee"):
        raise UpstreamProblem(404, "not-found", "not a party's thread")
    await _mark_read(deps, session, path, part, thread)
    return deps.pages.render(request, "thread.html", session, status=status,
                             title="Messages", contract=contract, thread=thread, part=part,
                             error=error, draft=draft, key=new_key())


async def _mark_read(deps: WebDep, session: Session, path: str, part: str,
                     thread: dict[str, Any]) -> None:
    """Opening the thread reads it: the other side sees the receipt."""
    theirs = [m["number"] for m in thread["messages"] if m["party"] != part]
    if theirs and max(theirs) > thread["read_up_to"].get(part, 0):
        # the receipt is a courtesy; the page shows the messages all the same
        with contextlib.suppress(UpstreamProblem):
            await deps.upstream.call(session, "engagement", "POST", f"{path}/messages/read",
                                     json={"up_to": max(theirs)})


@router.get("/contracts/{contract_id}/messages")
async def thread(request: Request, contract_id: ContractId, deps: WebDep,
                 session: SessionDep) -> Response:
    return await _thread_page(request, deps, session, contract_id)


@router.post("/contracts/{contract_id}/messages")
async def send(request: Request, contract_id: ContractId, deps: WebDep, session: SessionDep,
               form: FormDep) -> Response:
    body = text(form, "body")
    if not body:
        return await _thread_page(request, deps, session, contract_id, status=400,
                                  error="Please write your message first.")

    async def again(status: int, error: str) -> Response:
        return await _thread_page(request, deps, session, contract_id, status=status,
                                  error=error, draft=body)

    write = deps.upstream.call(session, "engagement", "POST",
                               f"/v1/contracts/{contract_id}/messages", json={"body": body},
                               idempotency_key=key_of(form))
    return await sent(session, write, done="Your message is sent.", again=again,
                      back=f"/contracts/{contract_id}/messages")
