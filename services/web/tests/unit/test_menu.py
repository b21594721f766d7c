"""The menu offers only what the organisation has not switched off: the Community link goes
when ``community.enabled`` is off, learned from identity at sign-in and at every renewal of
the tokens, or from the first page a service refused because of it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from interlude.web.render import navigation
from interlude.web.sessions import Session, SessionStore, Tokens
from interlude.web.upstream import Upstream, UpstreamProblem

BLOCKED = {"type": "urn:interlude:problem:policy-blocked", "title": "Forbidden", "status": 403,
           "detail": "community.enabled is off", "block": "community.enabled"}


class Identity:
    """identity as web meets it: the organisation's policy, and a refresh of the tokens."""

    def __init__(self) -> None:
        self.policy: dict[str, Any] = {"community.enabled": True, "messaging.enabled": True,
                                       "community.pseudonyms": "allowed"}
        self.app = Starlette(routes=[
            Route("/v1/organisations/{org}/policy", self._policy),
            Route("/v1/tokens/refresh", self._refresh, methods=["POST"])])

    async def _policy(self, request: Request) -> JSONResponse:
        return JSONResponse({"tenant_id": request.path_params["org"], "version": 2,
                             "policy": self.policy})

    async def _refresh(self, request: Request) -> JSONResponse:
        return JSONResponse({"access_token": "a2", "refresh_token": "r2", "expires_in": 300,
                             "tenant_id": "t1", "user_id": "u1", "roles": ["coachee"]})


def _community(request: Request) -> JSONResponse:
    return JSONResponse(BLOCKED, status_code=403, media_type="application/problem+json")


def _upstream(identity: Identity) -> tuple[Upstream, SessionStore]:
    def client(app: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://upstream.test")

    store = SessionStore(idle_s=600, max_s=6000, capacity=10)
    community = Starlette(routes=[Route("/v1/community/spaces", _community)])
    return Upstream({"identity": client(identity.app), "community": client(community)},
                    store), store


def _labels(session: Session) -> list[str]:
    return [label for _, label in navigation(session)]


async def test_community_switched_off_leaves_the_community_link_out_of_the_menu() -> None:
    identity = Identity()
    upstream, store = _upstream(identity)
    session = store.open(Tokens("a1", "r1", 300, "t1", "u1", ("coachee",)))
    await upstream.learn_policy(session)
    assert "Community" in _labels(session)
    identity.policy["community.enabled"] = False
    await upstream.learn_policy(session)  # as at sign-in
    assert "Community" not in _labels(session)
    assert _labels(session) == ["Start", "My coaching", "My data"]


async def test_a_renewal_of_the_tokens_brings_a_change_of_the_policy_to_the_menu() -> None:
    identity = Identity()
    upstream, store = _upstream(identity)
    session = store.open(Tokens("a1", "r1", 300, "t1", "u1", ("coach",)))
    identity.policy["community.enabled"] = False
    await upstream.refresh(session, session.access_token)
    assert "Community" not in _labels(session)
    identity.policy["community.enabled"] = True  # switched on again
    await upstream.refresh(session, session.access_token)
    assert "Community" in _labels(session)


async def test_a_page_refused_by_the_policy_takes_the_link_out_at_once() -> None:
    upstream, store = _upstream(Identity())
    session = store.open(Tokens("a1", "r1", 300, "t1", "u1", ("coachee",)))
    assert "Community" in _labels(session)
    with pytest.raises(UpstreamProblem, match="policy-blocked"):
        await upstream.call(session, "community", "GET", "/v1/community/spaces")
    assert "Community" not in _labels(session)
