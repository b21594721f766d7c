"""The org admin's webhooks (notify's): the addresses notify posts to when something happens,
each signed with a secret shown once; adding and removing one, a new secret, and the deliveries
that failed for good, sent again once the receiver is fixed. Only while the security policy
lets notify use webhooks; the menu leaves the page out otherwise."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from interlude.web.deps import AdminDep, FormDep, ItemId, WebDep
from interlude.web.pages.common import Part, key_of, new_key, part, sent, status_of, text
from interlude.web.pages.notifications import KINDS, notify_here
from interlude.web.sessions import Session
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

router = APIRouter(include_in_schema=False)
PAGE = "/admin/webhooks"
API = "/v1/notify/webhooks"


async def _page(request: Request, deps: WebDep, session: Session, *, status: int = 200,
                error: str | None = None, typed: dict[str, Any] | None = None,
                secret: dict[str, Any] | None = None) -> Response:
    """The endpoints and the failed deliveries; ``secret``, one just made (shown this once);
    ``error``, why the form adding an endpoint was refused, with what was typed."""
    notify_here(deps)
    found, dead = await asyncio.gather(
        part(deps.upstream.call(session, "notify", "GET", API)),
        part(deps.upstream.call(session, "notify", "GET", f"{API}/dead-letters")))
    return deps.pages.render(
        request, "admin/webhooks.html", session, status=status, title="Webhooks", found=found,
        dead=dead if found.problem is None else Part(), kinds=list(KINDS.items()),
        kind_names=KINDS,
        error=error, typed=typed or {"url": "", "kinds": []}, secret=secret, key=new_key())


@router.get(PAGE)
async def webhooks(request: Request, deps: WebDep, session: AdminDep) -> Response:
    return await _page(request, deps, session)


@router.post(PAGE)
async def add(request: Request, deps: WebDep, session: AdminDep, form: FormDep) -> Response:
    typed = {"url": text(form, "url", 2000),
             "kinds": [k for k in form.getlist("kinds") if k in KINDS]}
    if not typed["kinds"]:
        return await _page(request, deps, session, status=400, typed=typed,
                           error="Tick at least one kind of notification to send there.")
    try:
        made = await deps.upstream.call(session, "notify", "POST", API, json=typed,
                                        idempotency_key=key_of(form))
    except UpstreamProblem as problem:
        if problem.status == 404:
            raise
        return await _page(request, deps, session, status=status_of(problem), typed=typed,
                           error=message(problem))
    # the secret is on this answer only: never in an address, never kept by web
    return await _page(request, deps, session, status=201,
                       secret={"url": typed["url"], "value": made["secret"]})


@router.post(PAGE + "/{webhook_id}/rotation")
async def rotate(request: Request, webhook_id: ItemId, deps: WebDep, session: AdminDep,
                 form: FormDep) -> Response:
    found = await deps.upstream.call(session, "notify", "GET", f"{API}/{webhook_id}")
    made = await deps.upstream.call(session, "notify", "POST", f"{API}/{webhook_id}/rotation",
                                    idempotency_key=key_of(form))
    return await _page(request, deps, session, secret={
        "url": found["url"], "value": made["secret"], "until": made["previous_valid_until"]})


@router.post(PAGE + "/{webhook_id}/removal")
async def remove(request: Request, webhook_id: ItemId, deps: WebDep, session: AdminDep,
                 form: FormDep) -> Response:
    async def again(status: int, error: str) -> Response:
        session.refused.append(error)
        return RedirectResponse(PAGE, status_code=303)

    write = deps.upstream.call(session, "notify", "DELETE", f"{API}/{webhook_id}")
    return await sent(session, write, again=again, back=PAGE,
                      done="The webhook is removed: nothing more is sent there.")


@router.post(PAGE + "/dead-letters/{delivery_id}/replay")
async def replay(request: Request, delivery_id: ItemId, deps: WebDep, session: AdminDep,
                 form: FormDep) -> Response:
    async def again(status: int, error: str) -> Response:
        session.refused.append(error)
        return RedirectResponse(PAGE, status_code=303)

    write = deps.upstream.call(session, "notify", "POST",
                               f"{API}/dead-letters/{delivery_id}/replay")
    return await sent(session, write, again=again, back=PAGE,
                      done="It is sent again, with a new round of retries.")
