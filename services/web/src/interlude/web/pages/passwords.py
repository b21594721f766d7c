"""Passwords: a person changes theirs (``/account/password``, the current one asked again); a
forgotten one is asked for from the sign-in page (``/password-reset``: a link is e-mailed to
the person alone) and chosen through that link (``/password-reset/<token>``), which signs them
in. Either way identity signs out their other sessions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from interlude.web.deps import FormDep, SessionDep, WebDep
from interlude.web.pages.token_links import Token, TokenLink, typed_twice
from interlude.web.sessions import Tokens
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

router = APIRouter(include_in_schema=False)
PASSWORD_LINK = TokenLink(
    "password-resets", "password_reset.html", "Choose a new password",
    "This link no longer works: it was used already, replaced by a newer one, or it has "
    "expired (it works for two hours). Ask for a new one.")


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


@router.get("/password-reset/{token}")
async def reset_page(request: Request, token: Token, deps: WebDep) -> Response:
    return await PASSWORD_LINK.page(request, deps, token)


@router.post("/password-reset/{token}")
async def reset(request: Request, token: Token, deps: WebDep, form: FormDep) -> Response:
    return await PASSWORD_LINK.accept(request, deps, token, form)


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
    password, differ = typed_twice(form, "new_password")
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
