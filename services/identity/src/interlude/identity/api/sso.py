"""Single sign-on: to the organisation's identity provider and back, signed in."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, RedirectResponse, Response

from interlude.identity.api.deps import IdentityDep, check_id
from interlude.identity.api.schemas import SsoCodeExchange, TokensPublic
from interlude.identity.app import sso
from interlude.shared.kit import problems

router = APIRouter(tags=["single sign-on"])
# tokens and one-time codes must stay out of caches and of the next site's Referer
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
Param = Annotated[str | None, Query(max_length=2000)]


def _redirect(description: str, status: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"description": description,
                     "headers": {"Location": {"schema": {"type": "string"}}}}}


@router.get("/v1/organisations/{org_id}/sso/login", status_code=302,
            response_class=RedirectResponse,
            responses=_redirect("off to the organisation's identity provider", 302)
            | problems(400, 404, 422, 502))
async def login(org_id: str, deps: IdentityDep, return_to: Param = None) -> RedirectResponse:
    """Off to the organisation's identity provider; it sends the person back to
    ``/v1/sso/callback``. With ``return_to`` (a page of our web app) the callback redirects
    there with a one-time ``code`` added to its query, which the web app exchanges, server to
    server, at ``POST /v1/sso/tokens``; without it the callback answers the tokens as JSON."""
    check_id(org_id, "organisation")
    url = await sso.begin(deps, sso.oidc_client(deps), org_id, return_to)
    return RedirectResponse(url, status_code=302, headers=PRIVATE)


@router.get(sso.CALLBACK, response_model=TokensPublic,
            responses=_redirect("back to return_to, with a one-time code or the error", 303)
            | problems(400, 401, 403, 404, 422, 502))
async def callback(deps: IdentityDep, state: Param = None, code: Param = None,
                   error: Param = None) -> Response:
    """Where the identity provider sends the person back (each state works once). A sign-in
    our web app started goes back to it either way: with a ``code``, or refused with ``error``
    (the problem's type, for the web app to word) instead of this API's problem."""
    try:
        done = await sso.complete(deps, sso.oidc_client(deps), sso.Callback(state, code, error))
    except sso.SsoRefused as refused:
        if refused.return_to is None:
            raise
        return _back(refused.return_to, {"error": refused.slug})
    if done.tokens is not None:
        return JSONResponse(done.tokens.public(), headers=PRIVATE)
    assert done.return_to is not None and done.code is not None
    return _back(done.return_to, {"code": done.code})


def _back(return_to: str, params: dict[str, str]) -> RedirectResponse:
    joint = "&" if "?" in return_to else "?"
    return RedirectResponse(f"{return_to}{joint}{urlencode(params)}", status_code=303,
                            headers=PRIVATE)


@router.post("/v1/sso/tokens", response_model=TokensPublic,
             responses=problems(400, 403, 422))
async def tokens(body: SsoCodeExchange, deps: IdentityDep) -> JSONResponse:
    """The web app's one-time code (from the callback's redirect) for the tokens."""
    pair = await sso.exchange(deps, body.code)
    return JSONResponse(pair.public(), headers=PRIVATE)
