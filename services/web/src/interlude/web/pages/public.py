"""The first page, signing in (with the second factor when identity asks for it) and out."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from interlude.web.deps import FormDep, MaybeSessionDep, SessionDep, WebDep
from interlude.web.pages import authenticator
from interlude.web.security import PRE_COOKIE, clear_cookie, cookie_name, set_cookie
from interlude.web.sessions import Session, Tokens
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

router = APIRouter(include_in_schema=False)


def home_of(session: Session) -> str:
    if session.has("coach"):
        return "/dashboard"
    if session.has("coachee"):
        return "/home"
    return "/"


def local(target: str | None) -> str | None:
    """``next=`` only ever leads to a page of this site."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None


@router.get("/")
async def start(request: Request, deps: WebDep, session: MaybeSessionDep) -> Response:
    signed_out = request.query_params.get("signed_out") == "1"
    return deps.pages.render(request, "start.html", session, title="Welcome",
                             signed_out=signed_out)


@router.get("/sign-in")
async def sign_in_form(request: Request, deps: WebDep, session: MaybeSessionDep) -> Response:
    if session is not None:
        return RedirectResponse(home_of(session), status_code=303)
    ended = request.query_params.get("ended") == "1"
    return _form(request, deps, next_=local(request.query_params.get("next")),
                 error="Your session has ended; please sign in again." if ended else None)


def _form(request: Request, deps: WebDep, *, status: int = 200, **context: Any) -> Response:
    values = {"email": "", "error": None, "ask_code": False, "organisations": None,
              "next_": None} | context
    return deps.pages.render(request, "sign_in.html", None, status=status, title="Sign in",
                             **values)


@router.post("/sign-in")
async def sign_in(request: Request, deps: WebDep, form: FormDep) -> Response:
    email = str(form.get("email") or "").strip()
    body: dict[str, Any] = {"email": email, "password": str(form.get("password") or "")}
    for name in ("otp", "organisation"):
        if value := str(form.get(name) or "").strip():
            body[name] = value
    next_ = local(str(form.get("next") or ""))
    try:
        answer = await deps.upstream.anonymous("identity", "POST", "/v1/sessions", json=body)
    except UpstreamProblem as problem:
        return _refused(request, deps, problem, email, next_, asked="otp" in body)
    return await welcomed(request, deps, answer, next_)


async def welcomed(request: Request, deps: WebDep, tokens: dict[str, Any],
                   next_: str | None = None) -> Response:
    """A new session from identity's tokens (a sign-in, an invitation accepted), its cookie
    set, and the way to the person's pages."""
    session = deps.store.open(Tokens.of(tokens))

    async def name() -> str | None:
        try:
            me = await deps.upstream.call(session, "identity", "GET",
                                          f"/v1/organisations/{session.tenant_id}/users/"
                                          f"{session.user_id}")
        except UpstreamProblem:
            return None  # the greeting goes without the name
        return me.get("display_name")

    # with what the organisation switched off, which the menu leaves out
    session.name, _ = await asyncio.gather(name(), deps.upstream.learn_policy(session))
    response = RedirectResponse(next_ or home_of(session), status_code=303)
    set_cookie(response, request, cookie_name(request), session.id)
    clear_cookie(response, request, PRE_COOKIE)
    return response


def _refused(request: Request, deps: WebDep, problem: UpstreamProblem, email: str,
             next_: str | None, asked: bool) -> Response:
    context: dict[str, Any] = {"email": email, "next_": next_, "error": message(problem)}
    if problem.slug == "mfa-required" or (asked and problem.slug == "login-failed"):
        context["ask_code"] = True
    elif problem.slug == "organisation-required":
        context["organisations"] = problem.extra.get("organisations") or []
        context["error"] = ("This e-mail address has accounts in more than one organisation. "
                            "Choose the one you are signing in to.")
    elif problem.slug == "validation":
        context["error"] = "Please enter your e-mail address and your password."
    elif problem.slug == "mfa-enrolment-required" and problem.extra.get("mfa_ticket"):
        return authenticator.begin(request, deps, str(problem.extra["mfa_ticket"]), email)
    status = problem.status if problem.status in (429, 503) else 400
    return _form(request, deps, status=status, **context)


@router.post("/sign-out")
async def sign_out(request: Request, deps: WebDep, session: SessionDep,
                   form: FormDep) -> Response:
    await deps.upstream.sign_out(session)
    response = RedirectResponse("/?signed_out=1", status_code=303)
    clear_cookie(response, request, cookie_name(request))
    return response
