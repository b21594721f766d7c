"""The other services' HTTP APIs, called with the signed-in person's token (web imports none of
their code). Access tokens are refreshed here, shortly before they expire or once after a 401;
a refresh token works once, so a session refreshes under its own lock."""

from __future__ import annotations

import json as json_module
import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from interlude.web.sessions import Session, SessionStore, Tokens

log = logging.getLogger(__name__)
PROBLEM_PREFIX = "urn:interlude:problem:"
# in a session's ``switched_off``: the organisation's ``notify.channels`` leave e-mail (or
# webhooks) out
EMAIL_OFF = "notify.channels.email"
WEBHOOKS_OFF = "notify.channels.webhook"
# the browser's address, passed on as X-Forwarded-For: identity throttles sign-ins per source
# address and audit records where an action came from, and without it every person would
# come from web's own address (the services' uvicorn trusts the header from 127.0.0.1 only,
# its --forwarded-allow-ips default: a deployment lists web's addresses there)
browser_address: ContextVar[str | None] = ContextVar("browser_address", default=None)


class BrowserAddress:
    """Notes the address each request came from (web's own peer: never a header the browser
    sent, which anyone could forge)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        token = browser_address.set(client[0] if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            browser_address.reset(token)


def forwarded(headers: dict[str, str] | None = None) -> dict[str, str]:
    found = dict(headers or {})
    if address := browser_address.get():
        found["X-Forwarded-For"] = address
    return found


@dataclass
class UpstreamProblem(Exception):
    """An RFC 9457 problem a service answered with (or one web made for an unreachable one)."""

    status: int
    slug: str
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.slug}: {self.detail}"

    @classmethod
    def of(cls, response: httpx.Response) -> UpstreamProblem:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        kind = str(body.get("type", ""))
        slug = kind.removeprefix(PROBLEM_PREFIX) if kind.startswith(PROBLEM_PREFIX) else ""
        extra = {k: v for k, v in body.items()
                 if k not in {"type", "title", "status", "detail", "instance"}}
        return cls(response.status_code, slug or f"http-{response.status_code}",
                   str(body.get("detail") or body.get("title") or response.reason_phrase), extra)


class SignedOut(Exception):
    """The session can no longer be renewed (signed out elsewhere, deactivated, expired)."""


def unreachable(service: str) -> UpstreamProblem:
    return UpstreamProblem(503, "unavailable", f"{service} is not answering")


class Upstream:
    def __init__(self, clients: dict[str, httpx.AsyncClient], store: SessionStore) -> None:
        self.clients, self.store = clients, store

    async def anonymous(self, service: str, method: str, path: str, *,
                        json: Any = None) -> Any:
        """A call without a token (signing in, refreshing, signing out)."""
        try:
            response = await self.clients[service].request(method, path, json=json,
                                                           headers=forwarded())
        except httpx.HTTPError as error:
            log.warning("%s unreachable: %s", service, type(error).__name__)
            raise unreachable(service) from None
        if response.is_error:
            raise UpstreamProblem.of(response)
        return response.json() if response.content else None

    async def redirect(self, service: str, path: str, params: dict[str, str]) -> str:
        """Where a GET without a token sends the browser (identity's single sign-on)."""
        try:
            response = await self.clients[service].get(path, params=params,
                                                       headers=forwarded())
        except httpx.HTTPError as error:
            log.warning("%s unreachable: %s", service, type(error).__name__)
            raise unreachable(service) from None
        if response.is_error or "location" not in response.headers:
            raise UpstreamProblem.of(response)
        return response.headers["location"]

    async def call(self, session: Session, service: str, method: str, path: str, *,
                   json: Any = None, params: dict[str, Any] | None = None,
                   idempotency_key: str | None = None) -> Any:
        """``method path`` at ``service`` as the session's person; the answer's JSON."""
        response = await self._answer(session, service, method, path, json, params,
                                      idempotency_key)
        # orjson: the dashboard's fifty lines parse in a fifth of the time
        answer = orjson.loads(response.content) if response.content else None
        if method != "GET" and isinstance(answer, dict) and \
                isinstance(position := answer.get("position"), int):
            session.positions[service] = max(position, session.positions.get(service, 0))
        return answer

    async def lines(self, session: Session, service: str, path: str) -> list[Any]:
        """A JSON Lines answer (audit's checkpoints), one value a line."""
        response = await self._answer(session, service, "GET", path, None, None, None)
        return [json_module.loads(line) for line in response.text.splitlines() if line]

    async def download(self, session: Session, service: str, path: str,
                       params: dict[str, Any] | None = None) -> httpx.Response:
        """The answer as it came (a file to pass on to the browser)."""
        return await self._answer(session, service, "GET", path, None, params, None)

    async def stream(self, session: Session, service: str, path: str, *,
                     headers: dict[str, str], read_timeout: float) -> httpx.Response:
        """A streamed GET (Server-Sent Events): the open answer, for the caller to read and
        close; its status checked first (a refusal is raised like any other)."""
        if session.needs_refresh(self.store.clock()):
            await self.refresh(session, session.access_token)
        response = await self._open(session, service, path, headers, read_timeout)
        if response.status_code == 401:
            await response.aclose()
            await self.refresh(session, session.access_token)
            response = await self._open(session, service, path, headers, read_timeout)
            if response.status_code == 401:
                await response.aclose()
                self.store.drop(session.id)
                raise SignedOut()
        if response.is_error:
            await response.aread()
            await response.aclose()
            raise UpstreamProblem.of(response)
        return response

    async def _open(self, session: Session, service: str, path: str, headers: dict[str, str],
                    read_timeout: float) -> httpx.Response:
        client = self.clients[service]
        request = client.build_request(
            "GET", path, headers=forwarded(
                {"Authorization": f"Bearer {session.access_token}", **headers}),
            timeout=httpx.Timeout(client.timeout.connect, read=read_timeout))
        try:
            return await client.send(request, stream=True)
        except httpx.HTTPError as error:
            log.warning("%s unreachable: %s", service, type(error).__name__)
            raise unreachable(service) from None

    async def _answer(self, session: Session, service: str, method: str, path: str,
                      json: Any, params: dict[str, Any] | None,
                      key: str | None) -> httpx.Response:
        if method == "GET" and (position := session.positions.get(service)):
            params = {"after": position, **(params or {})}
        if session.needs_refresh(self.store.clock()):
            await self.refresh(session, session.access_token)
        response = await self._send(session, service, method, path, json, params, key)
        if response.status_code == 401:  # expired early, or identity rotated its keys
            await self.refresh(session, session.access_token)
            response = await self._send(session, service, method, path, json, params, key)
            if response.status_code == 401:
                self.store.drop(session.id)
                raise SignedOut()
        if response.is_error:
            problem = UpstreamProblem.of(response)
            if problem.slug == "policy-blocked" and isinstance(problem.extra.get("block"), str):
                session.switched_off |= {problem.extra["block"]}  # met before we asked
            raise problem
        return response

    async def learn_policy(self, session: Session) -> None:
        """Keep with the session what its organisation switched off, for the menu: asked at
        sign-in and whenever the tokens are renewed, so a change shows within an access
        token's life. Identity away: the menu stays as it was (every page checks anyway)."""
        try:
            response = await self._send(session, "identity", "GET",
                                        f"/v1/organisations/{session.tenant_id}/policy",
                                        None, None, None)
        except UpstreamProblem:
            return
        if response.is_success:
            policy = response.json().get("policy") or {}
            off = {k for k, v in policy.items() if v is False}
            channels = policy.get("notify.channels")
            if isinstance(channels, list):
                off |= {f"notify.channels.{c}" for c in ("email", "webhook") if c not in channels}
            session.switched_off = frozenset(off)

    async def _send(self, session: Session, service: str, method: str, path: str, json: Any,
                    params: dict[str, Any] | None, key: str | None) -> httpx.Response:
        headers = forwarded({"Authorization": f"Bearer {session.access_token}"})
        if key:
            headers["Idempotency-Key"] = key
        try:
            return await self.clients[service].request(method, path, json=json, params=params,
                                                       headers=headers)
        except httpx.HTTPError as error:
            log.warning("%s unreachable: %s", service, type(error).__name__)
            raise unreachable(service) from None

    async def refresh(self, session: Session, seen_token: str) -> None:
        """Renew the session's tokens, unless another request did so since ``seen_token``."""
        async with session.lock:
            if session.access_token != seen_token:
                return
            try:
                body = await self.anonymous("identity", "POST", "/v1/tokens/refresh",
                                            json={"refresh_token": session.refresh_token})
            except UpstreamProblem as problem:
                if problem.status in (401, 422):
                    self.store.drop(session.id)
                    raise SignedOut() from None
                raise
            self.store.renewed(session, Tokens.of(body))
        await self.learn_policy(session)

    async def sign_out(self, session: Session) -> None:
        """End the session here and its refresh token at identity."""
        self.store.drop(session.id)
        try:
            await self.anonymous("identity", "POST", "/v1/tokens/revoke",
                                 json={"refresh_token": session.refresh_token})
        except UpstreamProblem as problem:  # signed out here anyway; identity's token expires
            log.warning("revoking at identity failed: %s", problem.slug)
