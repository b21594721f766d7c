"""The org admin's security policy: every block explained, the effect of a change said before
it is saved (a review step: no script needed), saved at identity with a reason."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from interlude.web.deps import AdminDep, FormDep, WebDep
from interlude.web.pages.common import status_of, text
from interlude.web.policy import BLOCKS, BY_KEY, effect, from_form, shown
from interlude.web.sessions import Session
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

router = APIRouter(include_in_schema=False)
PAGE = "/admin/policy"


async def _current(deps: WebDep, session: Session) -> dict[str, Any]:
    found: dict[str, Any] = await deps.upstream.call(
        session, "identity", "GET", f"/v1/organisations/{session.tenant_id}/policy")
    return found


@router.get(PAGE)
async def policy(request: Request, deps: WebDep, session: AdminDep) -> Response:
    current = await _current(deps, session)
    session.pending = {}
    return deps.pages.render(request, "admin/policy.html", session, title="Security policy",
                             current=current, blocks=BLOCKS, error=None)


@router.post(PAGE + "/review")
async def review(request: Request, deps: WebDep, form: FormDep,
                 session: AdminDep) -> Response:
    current = await _current(deps, session)
    changes = from_form(form, current["policy"])
    if not changes:
        return deps.pages.render(request, "admin/policy.html", session, status=400,
                                 title="Security policy", current=current, blocks=BLOCKS,
                                 error="Nothing is changed yet: change a block, then review.")
    session.pending = {"changes": changes, "version": current["version"]}
    return _review(request, deps, session, current)


def _review(request: Request, deps: WebDep, session: Session, current: dict[str, Any], *,
            status: int = 200, error: str | None = None) -> Response:
    """The pending change, each block from what it is to what it will be, and what it does."""
    rows = [(BY_KEY[key], shown(BY_KEY[key], current["policy"][key]),
             shown(BY_KEY[key], value), effect(BY_KEY[key], value))
            for key, value in session.pending["changes"].items()]
    return deps.pages.render(request, "admin/review.html", session, status=status,
                             title="Review the change", rows=rows, error=error)


@router.post(PAGE)
async def save(request: Request, deps: WebDep, form: FormDep,
               session: AdminDep) -> Response:
    pending = session.pending
    if not pending:
        return RedirectResponse(PAGE, status_code=303)
    reason = text(form, "reason", 500)
    if not reason:  # the change stays under review, the reason asked for beside its field
        return _review(request, deps, session, await _current(deps, session), status=400,
                       error="Say why the policy changes: the reason is kept with the change.")
    try:
        saved = await deps.upstream.call(
            session, "identity", "PATCH", f"/v1/organisations/{session.tenant_id}/policy",
            json={"changes": pending["changes"], "reason": reason})
    except UpstreamProblem as problem:
        current = await _current(deps, session)
        return deps.pages.render(request, "admin/policy.html", session,
                                 status=status_of(problem), title="Security policy",
                                 current=current, blocks=BLOCKS, error=message(problem))
    session.pending = {}
    await deps.upstream.learn_policy(session)  # the admin's own menu follows at once
    session.flash.append(f"The policy is saved (version {saved['version']}). Every service "
                         "applies it within moments.")
    return RedirectResponse(PAGE, status_code=303)
