"""Rehearsing with the coach: a draft only its author and the space's coach see; the coach
answers with feedback; the author publishes it to the space, or drops it."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlude.web.deps import FormDep, ItemId, SessionDep, WebDep
from interlude.web.pages.common import key_of, new_key, sent, text
from interlude.web.pages.community import API, KINDS, SpaceId
from interlude.web.sessions import Session

router = APIRouter(include_in_schema=False)
PAGE = "/community/{space_id}/rehearsals"


async def _page(request: Request, deps: WebDep, session: Session, space_id: str, *,
                status: int = 200, error: str | None = None,
                typed: dict[str, str] | None = None) -> Response:
    """The page; after a refusal, ``typed`` holds what was written, by the field's id."""
    path = f"{API}/{space_id}"
    space = await deps.upstream.call(session, "community", "GET", path)
    found = await deps.upstream.call(session, "community", "GET", f"{path}/rehearsals")
    return deps.pages.render(request, "community/rehearsals.html", session, status=status,
                             title="Rehearse", space=space, rehearsals=found["rehearsals"],
                             kinds=KINDS, error=error, key=new_key(), typed=typed or {})


@router.get(PAGE)
async def rehearsals(request: Request, space_id: SpaceId, deps: WebDep,
                     session: SessionDep) -> Response:
    return await _page(request, deps, session, space_id)


async def _write(request: Request, deps: WebDep, session: Session, space_id: str, path: str,
                 body: dict[str, Any] | None, done: str, key: str | None = None,
                 back: str | None = None, typed: dict[str, str] | None = None) -> Response:
    async def again(status: int, error: str) -> Response:
        return await _page(request, deps, session, space_id, status=status, error=error,
                           typed=typed)

    write = deps.upstream.call(session, "community", "POST",
                               f"{API}/{space_id}/rehearsals{path}", json=body,
                               idempotency_key=key)
    return await sent(session, write, done=done, again=again,
                      back=back or PAGE.format(space_id=space_id))


@router.post(PAGE)
async def draft(request: Request, space_id: SpaceId, deps: WebDep, session: SessionDep,
                form: FormDep) -> Response:
    kind = text(form, "kind", 20)
    body = {"body": text(form, "body"), "kind": kind if kind in dict(KINDS) else "reflection"}
    return await _write(request, deps, session, space_id, "", body,
                        "Your draft is with your coach; only the two of you see it.",
                        key_of(form), typed=body)


@router.post(PAGE + "/{rehearsal_id}/feedback")
async def feedback(request: Request, space_id: SpaceId, rehearsal_id: ItemId, deps: WebDep,
                   session: SessionDep, form: FormDep) -> Response:
    said = text(form, "body")
    return await _write(request, deps, session, space_id, f"/{rehearsal_id}/feedback",
                        {"body": said}, "Your feedback is sent.",
                        typed={f"fb-{rehearsal_id}": said})


@router.post(PAGE + "/{rehearsal_id}/{step}")
async def decide(request: Request, space_id: SpaceId, rehearsal_id: ItemId,
                 step: Literal["publish", "drop"],
                 deps: WebDep, session: SessionDep, form: FormDep) -> Response:
    if step == "publish":
        return await _write(request, deps, session, space_id, f"/{rehearsal_id}/publish",
                            None, "Published: your post is in the space.",
                            back=f"/community/{space_id}")
    return await _write(request, deps, session, space_id, f"/{rehearsal_id}/drop", None,
                        "The draft is dropped.")
