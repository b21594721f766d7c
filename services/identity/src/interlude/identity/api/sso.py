"""Single sign-on: to the organisation's identity provider and back, signed in."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from interlude.identity.adapters.oidc import OidcClient
from interlude.identity.api.deps import IdentityDep, check_id
from interlude.identity.app import sso

router = APIRouter(tags=["single sign-on"])
# tokens and one-time codes must stay out of caches and of the next site's Referer
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
Param = Annotated[str | None, Query(max_length=2000)]


def oidc_client(request: Request) -> OidcClient:
    return request.app.state.oidc


OidcDep = Annotated[OidcClient, Depends(oidc_client)]


@router.get("/v1/organisations/{org_id}/sso/login", status_code=302)
async def login(org_id: str, deps: IdentityDep, oidc: OidcDep,
                return_to: Param = None) -> RedirectResponse:
    """Off to the organisation's identity provider; it sends the person back to
    ``/v1/sso/callback``. With ``return_to`` (a page of our web app) the callback redirects
    there with the tokens in the URL fragment; without it the callback answers them as JSON."""
    check_id(org_id, "organisation")
    url = await sso.begin(deps, oidc, org_id, return_to)
    return RedirectResponse(url, status_code=302, headers=PRIVATE)


@router.get(sso.CALLBACK)
async def callback(deps: IdentityDep, oidc: OidcDep, state: Param = None, code: Param = None,
                   error: Param = None) -> Response:
    """Where the identity provider sends the person back (each state works once)."""
    done = await sso.complete(deps, oidc, sso.Callback(state, code, error))
    body = done.tokens.public()
    if done.return_to is None:
        return JSONResponse(body, headers=PRIVATE)
    fragment = urlencode({k: " ".join(v) if isinstance(v, list) else v  # roles: space-separated
                          for k, v in body.items()})
    return RedirectResponse(f"{done.return_to}#{fragment}", status_code=303, headers=PRIVATE)
