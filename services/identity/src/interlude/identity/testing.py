"""Running identity inside a test: the API app in-process (httpx over ASGI), its worker's
projections as tasks, and helpers that register organisations and sign people in.

Other services' tests and the journeys in ``tests/`` use it too: they need real tokens.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI

from interlude.identity import worker
from interlude.identity.main import create_app
from interlude.identity.settings import IdentitySettings
from interlude.shared.auth import service_secret
from interlude.shared.eventstore.base import decode_commit
from interlude.shared.runtime import Platform, open_platform
from interlude.shared.sealing import master_secret_from
from interlude.shared.testing.inprocess import served

PASSWORD = "correct horse battery staple"


def identity_settings(nats_url: str, postgres_dsn: str, namespace: str,
                  **overrides: Any) -> IdentitySettings:
    values: dict[str, Any] = {
        "nats_url": nats_url, "database_url": postgres_dsn, "stream_namespace": namespace,
        "master_secret": secrets.token_urlsafe(32), "log_json": False,
        "argon2_time_cost": 1, "argon2_memory_kib": 1024, **overrides}
    return IdentitySettings(**values)


@dataclass
class Person:
    user_id: str
    tenant_id: str
    email: str
    password: str
    roles: tuple[str, ...]
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@dataclass
class IdentityClient:
    """identity's API as a test drives it: register, invite, sign in."""

    client: httpx.AsyncClient
    settings: IdentitySettings
    _seq: int = field(default=0, init=False)

    @property
    def master_secret(self) -> bytes:
        assert self.settings.master_secret is not None
        return master_secret_from(self.settings.master_secret.get_secret_value())

    def unique_email(self, name: str = "person") -> str:
        self._seq += 1
        return f"{name}.{self._seq}.{secrets.token_hex(3)}@example.org"

    async def service_headers(self, service: str = "seed") -> dict[str, str]:
        response = await self.client.post("/v1/service-tokens", data={
            "grant_type": "client_credentials", "client_id": service,
            "client_secret": service_secret(self.master_secret, service)})
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def organisation(self, name: str = "Acme") -> Person:
        """A new organisation; returns its first org_admin, signed in."""
        email = self.unique_email("admin")
        response = await self.client.post("/v1/organisations", headers=await
                                           self.service_headers(), json={
            "name": name, "admin_email": email, "admin_name": "Ada Admin",
            "admin_password": PASSWORD, "allowed_domains": ["example.org"]})
        assert response.status_code == 201, response.text
        return await self.sign_in(email)

    async def sign_in(self, email: str, password: str = PASSWORD,
                      otp: str | None = None) -> Person:
        body = {"email": email, "password": password} | ({"otp": otp} if otp else {})
        response = await self.client.post("/v1/sessions", json=body)
        assert response.status_code == 200, response.text
        data = response.json()
        return Person(data["user_id"], data["tenant_id"], email, password, tuple(data["roles"]),
                      data["access_token"], data["refresh_token"])

    async def sign_in_status(self, email: str, password: str = PASSWORD) -> int:
        response = await self.client.post("/v1/sessions",
                                          json={"email": email, "password": password})
        return response.status_code

    async def invite(self, admin: Person, *roles: str, name: str = "Pat Person") -> dict:
        email = self.unique_email(roles[0] if roles else "person")
        response = await self.client.post(
            f"/v1/organisations/{admin.tenant_id}/invitations", headers=admin.headers,
            json={"email": email, "display_name": name, "roles": list(roles)})
        assert response.status_code == 201, response.text
        return {**response.json(), "email": email}

    async def member(self, admin: Person, *roles: str, name: str = "Pat Person") -> Person:
        """Invite and accept: an active, signed-in person of the admin's organisation."""
        invitation = await self.invite(admin, *roles, name=name)
        response = await self.client.post("/v1/invitations/accept", json={
            "token": invitation["token"], "password": PASSWORD})
        assert response.status_code == 200, response.text
        data = response.json()
        return Person(data["user_id"], data["tenant_id"], invitation["email"], PASSWORD,
                      tuple(data["roles"]), data["access_token"], data["refresh_token"])


@dataclass
class RunningIdentity(IdentityClient):
    """identity running in this process: its app, and a platform of the test's own."""

    app: FastAPI = field(default=None)  # type: ignore[assignment]
    platform: Platform = field(default=None)  # type: ignore[assignment]
    schema: str = ""


async def password_links(identity: RunningIdentity, person: Person) -> list[str]:
    """The password links identity issued for ``person``, oldest first, opened from its stream
    as notify opens them to e-mail them (the API never answers one)."""
    js, stream = identity.platform.js, identity.platform.stream("identity").name
    found = []
    for seq in range(1, (await js.stream_info(stream)).state.last_seq + 1):
        data = (await js.get_msg(stream, seq)).data
        for event in decode_commit(data) if data else ():
            if event.type == "identity.PasswordResetIssued" and \
                    event.aggregate_id == person.user_id:
                link = await identity.platform.sealer.open(
                    event.payload["link"], tenant=event.tenant_id, event_id=event.event_id,
                    field="link")
                found.append(link.reveal())
    return found


@contextlib.asynccontextmanager
async def running_identity(settings: IdentitySettings, schema: str,
                           with_worker: bool = True) -> AsyncIterator[RunningIdentity]:
    app = create_app(settings, schema=schema)
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        platform = await open_platform(settings, schema=schema)
        stack.push_async_callback(platform.close)
        if with_worker:
            for runner in worker.runners(platform):
                await runner.start()
                stack.push_async_callback(runner.stop)
        transport = httpx.ASGITransport(app=app)
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://identity.test"))
        yield RunningIdentity(client, settings, app=app, platform=platform, schema=schema)


@contextlib.asynccontextmanager
async def served_identity(settings: IdentitySettings, schema: str) -> AsyncIterator[str]:
    """identity's API on a real port of this process (for other processes to reach); yields
    its URL and stops it on exit, as a test that "stops identity" needs."""
    async with served(create_app(settings, schema=schema)) as url:
        yield url
