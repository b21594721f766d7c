"""Passwords: a person changes theirs (``/account/password``, the current one asked again); a
forgotten one is asked for from the sign-in page (``/password-reset``: a link is e-mailed to
the person alone) and chosen through that link (``/password-reset/<token>``), which signs them
in. Either way identity signs out their other sessions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from interlude.web.deps import FormDep, SessionDep, WebDep
from interlude.web.pages.public import welcomed
from interlude.web.sessions import Tokens
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{10,200}$")]  # tenant.user.secret
GONE = ("This link no longer works: it was used already, replaced by a newer one, or it has "
        "expired (it works for two hours). Ask for a new one.")
DIFFER = "The two passwords differ; please type the same one twice."


def _twice(form: FormDep, name: str) -> tuple[str, str | None]:
    """The new password typed twice, and the problem when the two differ."""
    password, again = str(form.get(name) or ""), str(form.get("again") or "")
    return password, (DIFFER if password != again else None)


@router.get("/password-reset")
async def forgotten(request: Request, deps: WebDep) -> Response:
    return deps.pages.render(request, "password_forgotten.html", None,
                             title="Forgotten password", email="", sent=False, error=None)


@router.post("/password-reset")
async def ask(request: Request, deps: WebDep, form: FormDep) -> Response:
    email = str(form.get("email") or "").strip()
    try:
        await deps.upstream.anonymous("identity", "POST", "/v1/password-resets",
                                      json={"email": email})
    except UpstreamProblem as problem:
        return deps.pages.render(request, "password_forgotten.html", None, status=400,
                                 title="Forgotten password", email=email, sent=False,
                                 error=message(problem))
    return deps.pages.render(request, "password_forgotten.html", None,
                             title="Forgotten password", email=email, sent=True, error=None)


async def _reset_page(request: Request, deps: WebDep, token: str, *, status: int = 200,
                      error: str | None = None) -> Response:
    try:
        found = await deps.upstream.anonymous("identity", "GET", f"/v1/password-resets/{token}")
    except UpstreamProblem as problem:
        if problem.status not in (404, 410, 422):
            raise
        return deps.pages.render(request, "error.html", None, status=410,
                                 title="This link no longer works", message=GONE)
    return deps.pages.render(request, "password_reset.html", None, status=status,
                             title="Choose a new password", organisation=found["organisation"],
                             token=token, error=error)


@router.get("/password-reset/{token}")
async def reset_page(request: Request, token: Token, deps: WebDep) -> Response:
    return await _reset_page(request, deps, token)


@router.post("/password-reset/{token}")
async def reset(request: Request, token: Token, deps: WebDep, form: FormDep) -> Response:
    password, differ = _twice(form, "password")
    if differ:
        return await _reset_page(request, deps, token, status=400, error=differ)
    try:
        tokens = await deps.upstream.anonymous("identity", "POST", "/v1/password-resets/accept",
                                               json={"token": token, "password": password})
    except UpstreamProblem as problem:
        if problem.status in (404, 410):
            return await _reset_page(request, deps, token)
        return await _reset_page(request, deps, token, status=400, error=message(problem))
    return await welcomed(request, deps, tokens)


def _change_page(request: Request, deps: WebDep, session: SessionDep, *, status: int = 200,
                 error: str | None = None) -> Response:
    return deps.pages.render(request, "password_change.html", session, status=status,
                             title="Change your password", error=error)


@router.get("/account/password")
async def change_page(request: Request, deps: WebDep, session: SessionDep) -> Response:
    return _change_page(request, deps, session)


@router.post("/account/password")
async def change(request: Request, deps: WebDep, session: SessionDep,
                 form: FormDep) -> Response:
    password, differ = _twice(form, "new_password")
    if differ:
        return _change_page(request, deps, session, status=400, error=differ)
    try:
        tokens = await deps.upstream.call(session, "identity", "POST", "/v1/me/password", json={
            "current_password": str(form.get("current_password") or ""),
            "new_password": password})
    except UpstreamProblem as problem:
        if problem.status in (403, 409, 422, 429):
            return _change_page(request, deps, session, status=400, error=message(problem))
        raise
    async with session.lock:  # this session goes on with the new tokens; the others end
        deps.store.renewed(session, Tokens.of(tokens))
    session.flash.append("Your password is changed; any other place you were signed in is "
                         "signed out.")
    return RedirectResponse("/account/password", status_code=303)
