"""Stepping out of a pseudonym: in a pseudonymous space a member shows their name to one peer
or to the whole space, having confirmed that what was seen was seen, and steps back. Their
act alone; community records it, and an organisation that requires pseudonyms refuses it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from interlude.web.deps import FormDep, SessionDep, WebDep
from interlude.web.pages.common import status_of, text
from interlude.web.pages.community import API, SpaceId, space_page
from interlude.web.sessions import Session
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import stepping_out

router = APIRouter(include_in_schema=False)
UNDERSTOOD = ("Tick the box to say you understand: what was seen was seen. Whoever sees your "
              "name may remember it, even after you step back.")


async def _step(request: Request, deps: WebDep, session: Session, space_id: str, path: str,
                body: dict[str, Any], typed: dict[str, str], done: str) -> Response:
    if not body["understood"]:
        return await space_page(request, deps, session, space_id, status=400,
                                error=UNDERSTOOD, typed=typed, at="your-name")
    try:
        await deps.upstream.call(session, "community", "POST", f"{API}/{space_id}/{path}",
                                 json=body)
    except UpstreamProblem as problem:
        if problem.status == 404 and problem.slug != "not-found":
            raise
        return await space_page(request, deps, session, space_id, status=status_of(problem),
                                error=stepping_out(problem), typed=typed,
                                at="your-name")
    session.flash.append(done)
    return RedirectResponse(f"/community/{space_id}#your-name", status_code=303)


@router.post("/community/{space_id}/step-out")
async def step_out(request: Request, space_id: SpaceId, deps: WebDep, session: SessionDep,
                   form: FormDep) -> Response:
    to = text(form, "to", 64)
    understood = form.get("understood") == "yes"
    return await _step(request, deps, session, space_id, "step-out",
                       {"to": to or None, "understood": understood},
                       {"to": to, "understood": "yes" if understood else ""},
                       "Your name is shown to the whole space." if not to else
                       "Your name is shown to the member you chose, and to no one else.")


@router.post("/community/{space_id}/step-back")
async def step_back(request: Request, space_id: SpaceId, deps: WebDep, session: SessionDep,
                    form: FormDep) -> Response:
    understood = form.get("understood") == "yes"
    return await _step(request, deps, session, space_id, "step-back",
                       {"understood": understood},
                       {"back_understood": "yes" if understood else ""},
                       "You are known here by your pseudonym again. Those who saw your name "
                       "may still remember it.")
