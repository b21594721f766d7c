"""Setting up an authenticator app when the organisation asks for a second factor and the
person has none yet: identity's one-time ticket stays here, the browser holds a random id."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from interlude.web.deps import FormDep, WebDep
from interlude.web.security import clear_cookie, set_cookie
from interlude.web.sessions import Enrolment
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

router = APIRouter(include_in_schema=False)
COOKIE = "interlude_enrol"
PAGE = "/sign-in/authenticator"


def begin(request: Request, deps: WebDep, ticket: str, email: str) -> Response:
    """Called by the sign-in page when identity asks for an enrolment first."""
    enrolment = deps.enrolments.open(ticket, email)
    response = RedirectResponse(PAGE, status_code=303)
    set_cookie(response, request, COOKIE, enrolment.id, max_age=600)
    return response


def _gone(request: Request, deps: WebDep) -> Response:
    return deps.pages.render(request, "sign_in.html", None, status=400, title="Sign in",
                             email="", ask_code=False, organisations=None, next_=None,
                             error="Setting up your authenticator took too long; please sign "
                                   "in again to start over.")


async def _page(request: Request, deps: WebDep, enrolment: Enrolment, *, status: int = 200,
                error: str | None = None) -> Response:
    if enrolment.secret is None:
        found = await deps.upstream.anonymous("identity", "POST", "/v1/mfa/enrol",
                                              json={"ticket": enrolment.ticket})
        enrolment.secret, enrolment.uri = found["secret"], found["otpauth_uri"]
    grouped = " ".join(enrolment.secret[i:i + 4] for i in range(0, len(enrolment.secret), 4))
    return deps.pages.render(request, "authenticator.html", None, status=status,
                             title="Set up your authenticator", secret=grouped,
                             uri=enrolment.uri, error=error)


@router.get(PAGE)
async def setup(request: Request, deps: WebDep) -> Response:
    enrolment = deps.enrolments.get(request.cookies.get(COOKIE))
    if enrolment is None:
        return _gone(request, deps)
    try:
        return await _page(request, deps, enrolment)
    except UpstreamProblem as problem:
        if problem.status == 401:  # the ticket expired at identity
            return _gone(request, deps)
        raise


@router.post(PAGE)
async def confirm(request: Request, deps: WebDep, form: FormDep) -> Response:
    enrolment = deps.enrolments.get(request.cookies.get(COOKIE))
    if enrolment is None:
        return _gone(request, deps)
    code = str(form.get("code") or "").strip().replace(" ", "")
    try:
        await deps.upstream.anonymous("identity", "POST", "/v1/mfa/confirm",
                                      json={"ticket": enrolment.ticket, "code": code})
    except UpstreamProblem as problem:
        if problem.slug == "validation":
            error = "Enter the 6 digits your app shows for Interlude."
        else:
            error = message(problem)
        return await _page(request, deps, enrolment, status=400, error=error)
    deps.enrolments.drop(enrolment.id)
    response = deps.pages.render(
        request, "sign_in.html", None, title="Sign in", email=enrolment.email, ask_code=True,
        organisations=None, next_=None, done="Your authenticator is set up. Sign in with your "
        "password and the next code it shows.", error=None)
    clear_cookie(response, request, COOKIE)
    return response
