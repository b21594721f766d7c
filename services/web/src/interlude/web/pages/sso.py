"""Single sign-on through the organisation's own identity provider, by way of identity: web
starts the round trip (a random flow id in an HttpOnly cookie, and in the address identity
sends the browser back to) and, back from it, exchanges identity's one-time code for the
tokens server to server. The tokens never reach the browser, and a code is taken only in the
browser that started the round trip (nobody can sign someone in as themselves)."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from interlude.web.deps import MaybeSessionDep, WebDep
from interlude.web.pages.public import home_of, welcomed
from interlude.web.security import clear_cookie, set_cookie
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

router = APIRouter(include_in_schema=False)
FLOW_COOKIE = "interlude_sso"
FLOW_S = 600  # identity's own round trip lasts ten minutes at most
OrgId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Param = Annotated[str, Query(max_length=300)]
NOT_SET_UP = ("This organisation has not set up single sign-on, or the address is not quite "
              "right. Ask your administrator for it, or sign in with your e-mail address and "
              "password.")
# identity sends a refused sign-in back with the problem's type: in words here
REFUSED = {
    "sso-email-unverified": "Your organisation's account system has not verified your e-mail "
                            "address. Verify it there, then sign in again.",
    "sso-domain-not-allowed": "Your e-mail address is not at a domain your organisation signs "
                              "in with here. Use your work address, or ask your administrator.",
    "sso-account-refused": "Your account here is not active, or your invitation is still open "
                           "(accept it first). Your organisation's administrator can help.",
    "sso-provider-unavailable": "Your organisation's account system is not answering. Please "
                                "try again in a few minutes.",
}
FAILED = ("Your organisation's account system did not sign you in. Start again, or ask your "
          "administrator.")
START_AGAIN = ("This sign-in did not start in this browser, or it took too long. Start again "
               "from your organisation's sign-in page.")


def sign_in_path(org_id: str) -> str:
    """The address an organisation's people sign in at (its admin passes it on)."""
    return f"/sign-in/organisation/{org_id}"


def _page(request: Request, deps: WebDep, org_id: str | None, *, status: int = 200,
          error: str | None = None) -> Response:
    return deps.pages.render(request, "sign_in_sso.html", None, status=status,
                             title="Sign in with your organisation", org_id=org_id, error=error)


@router.get("/sign-in/organisation/{org_id}")
async def organisation(request: Request, org_id: OrgId, deps: WebDep,
                       session: MaybeSessionDep) -> Response:
    if session is not None:
        return RedirectResponse(home_of(session), status_code=303)
    return _page(request, deps, org_id)


# a link, not a form: the CSP's form-action 'self' stops a form's answer from leading to
# another site (the provider). Starting a round trip from another site's page is harmless:
# whoever then signs in at the provider is who the browser is signed in as.
@router.get("/sign-in/organisation/{org_id}/start")
async def begin(request: Request, org_id: OrgId, deps: WebDep) -> Response:
    flow = secrets.token_urlsafe(24)
    back = str(request.url_for("sso_done").include_query_params(flow=flow))
    try:
        provider = await deps.upstream.redirect(
            "identity", f"/v1/organisations/{org_id}/sso/login", {"return_to": back})
    except UpstreamProblem as problem:
        if problem.status == 404:
            return _page(request, deps, None, status=404, error=NOT_SET_UP)
        status = problem.status if problem.status == 503 else 400
        return _page(request, deps, org_id, status=status, error=message(problem))
    response = RedirectResponse(provider, status_code=303)
    set_cookie(response, request, FLOW_COOKIE, flow, max_age=FLOW_S)
    return response


@router.get("/sign-in/sso/done", name="sso_done")
async def done(request: Request, deps: WebDep, flow: Param = "", code: Param = "",
               error: Param = "") -> Response:
    started = request.cookies.get(FLOW_COOKIE) or ""
    if not (started and flow and hmac.compare_digest(started.encode(), flow.encode())):
        return _refused(request, deps, START_AGAIN)
    if error or not code:
        return _refused(request, deps, REFUSED.get(error, FAILED), 403)
    try:
        tokens = await deps.upstream.anonymous("identity", "POST", "/v1/sso/tokens",
                                               json={"code": code})
    except UpstreamProblem as problem:
        return _refused(request, deps, message(problem), problem.status)
    response = await welcomed(request, deps, tokens)
    clear_cookie(response, request, FLOW_COOKIE)
    return response


def _refused(request: Request, deps: WebDep, error: str, status: int = 400) -> Response:
    response = _page(request, deps, None, status=status if status in (403, 503) else 400,
                     error=error)
    clear_cookie(response, request, FLOW_COOKIE)
    return response
