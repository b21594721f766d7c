"""Running audit inside a test as it runs for real: its tables migrated by the owner (here the
test's superuser), its API in-process (tokens verified against identity's real JWKS), its
intake runners as tasks and its checkpoint signer on demand, all logged in as the restricted
role ``audit_app``, under row-level security."""

from __future__ import annotations

import base64
import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from fastapi import FastAPI

from interlude.audit.adapters.signing import signing_key
from interlude.audit.app.checkpoints import Checkpointer
from interlude.audit.main import create_app
from interlude.audit.settings import AuditSettings
from interlude.audit.wiring import MIGRATIONS, checkpoint_publisher, ensure_sources, runners
from interlude.shared.db import create_pool, migrate
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, open_platform

APP_ROLE = "audit_app"  # created by migration 0002 where it does not exist
_PASSWORD = secrets.token_urlsafe(16)


def audit_settings(nats_url: str, postgres_dsn: str, namespace: str, master_secret: str,
                   **overrides: Any) -> AuditSettings:
    values: dict[str, Any] = {
        "nats_url": nats_url, "database_url": postgres_dsn, "stream_namespace": namespace,
        "master_secret": master_secret, "log_json": False, "identity_url": "http://identity.test",
        "signing_key": base64.b64encode(secrets.token_bytes(32)).decode(), **overrides}
    return AuditSettings(**values)


async def migrate_as_owner(owner_dsn: str, schema: str) -> None:
    """Apply audit's migrations to ``schema``, as ``make run`` does before audit starts."""
    pool = await create_pool(owner_dsn, schema=schema, max_size=1)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, MIGRATIONS)
    finally:
        await pool.close()


async def app_dsn(superuser_dsn: str) -> str:
    """A DSN of ``superuser_dsn``'s server that logs in as ``audit_app``, given a login and a
    password here (the migrations must have run: they create the role)."""
    conn = await asyncpg.connect(superuser_dsn)
    try:
        await conn.execute(f"ALTER ROLE {APP_ROLE} WITH LOGIN PASSWORD '{_PASSWORD}'")
    finally:
        await conn.close()
    parts = urlsplit(superuser_dsn)
    netloc = f"{APP_ROLE}:{_PASSWORD}@{parts.hostname}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass
class RunningAudit:
    client: httpx.AsyncClient
    app: FastAPI
    platform: Platform  # as audit_app: sees one organisation per transaction
    checkpointer: Checkpointer
    admin: asyncpg.Pool  # as the superuser, in audit's schema: sees every row
    runners: list[ProjectionRunner]  # the intake, one per source stream

    def intake(self, source: str) -> ProjectionRunner:
        return next(r for r in self.runners if r.name == f"audit-{source}")


@contextlib.asynccontextmanager
async def running_audit(settings: AuditSettings, schema: str,
                        identity_app: FastAPI) -> AsyncIterator[RunningAudit]:
    """``settings.database_url`` is a superuser's: it migrates, and tests inspect with it."""
    await migrate_as_owner(settings.database_url, schema)
    runtime = settings.model_copy(update={"database_url": await app_dsn(settings.database_url)})
    jwks = httpx.AsyncClient(transport=httpx.ASGITransport(app=identity_app),
                             base_url=settings.identity_url)
    app = create_app(runtime, schema=schema, jwks_client=jwks)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(jwks.aclose)
        admin = await create_pool(settings.database_url, schema=schema, max_size=2)
        stack.push_async_callback(admin.close)
        await stack.enter_async_context(app.router.lifespan_context(app))
        platform = await open_platform(runtime, schema=schema)
        stack.push_async_callback(platform.close)
        await ensure_sources(platform)
        intake = runners(platform, batch_size=100)
        for runner in intake:
            await runner.start()
            stack.push_async_callback(runner.stop)
        checkpointer = Checkpointer(platform.pool, signing_key(settings),
                                    publish=checkpoint_publisher(platform))
        client = await stack.enter_async_context(httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://audit.test"))
        yield RunningAudit(client, app, platform, checkpointer, admin, intake)
