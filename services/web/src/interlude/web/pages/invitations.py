"""An invitation's link (identity sends people to ``/invitations/<token>``): the person
chooses a password and is signed in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from interlude.web.deps import FormDep, WebDep
from interlude.web.pages.public import welcomed
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{10,200}$")]  # tenant.user.secret
GONE = ("This invitation link was already used or has expired. If you have set your password, "
        "sign in; otherwise ask your organisation's administrator for a new invitation.")


async def _page(request: Request, deps: WebDep, token: str, *, status: int = 200,
                error: str | None = None) -> Response:
    try:
        found = await deps.upstream.anonymous("identity", "GET", f"/v1/invitations/{token}")
    except UpstreamProblem as problem:
        if problem.status not in (404, 410, 422):
            raise
        return deps.pages.render(request, "error.html", None, status=410,
                                 title="This link no longer works", message=GONE)
    return deps.pages.render(request, "invitation.html", None, status=status,
                             title="Welcome", organisation=found["organisation"],
                             token=token, error=error)


@router.get("/invitations/{token}")
async def invitation(request: Request, token: Token, deps: WebDep) -> Response:
    return await _page(request, deps, token)


@router.post("/invitations/{token}")
async def accept(request: Request, token: Token, deps: WebDep, form: FormDep) -> Response:
    password, again = str(form.get("password") or ""), str(form.get("again") or "")
    if password != again:
        return await _page(request, deps, token, status=400,
                           error="The two passwords differ; please type the same one twice.")
    try:
        tokens = await deps.upstream.anonymous("identity", "POST", "/v1/invitations/accept",
                                               json={"token": token, "password": password})
    except UpstreamProblem as problem:
        if problem.status in (404, 410):
            return await _page(request, deps, token)
        return await _page(request, deps, token, status=400, error=message(problem))
    return await welcomed(request, deps, tokens)
