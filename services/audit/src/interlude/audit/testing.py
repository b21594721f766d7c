"""Running audit inside a test: its API in-process (tokens verified against identity's real
JWKS), its intake runners as tasks, and its checkpoint signer on demand."""

from __future__ import annotations

import base64
import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from interlude.audit.adapters.signing import signing_key
from interlude.audit.app.checkpoints import Checkpointer
from interlude.audit.main import create_app
from interlude.audit.settings import AuditSettings
from interlude.audit.wiring import checkpoint_publisher, ensure_sources, runners
from interlude.shared.runtime import Platform, open_platform


def audit_settings(nats_url: str, postgres_dsn: str, namespace: str, master_secret: str,
                   **overrides: Any) -> AuditSettings:
    values: dict[str, Any] = {
        "nats_url": nats_url, "database_url": postgres_dsn, "stream_namespace": namespace,
        "master_secret": master_secret, "log_json": False, "identity_url": "http://identity.test",
        "signing_key": base64.b64encode(secrets.token_bytes(32)).decode(), **overrides}
    return AuditSettings(**values)


@dataclass
class RunningAudit:
    client: httpx.AsyncClient
    app: FastAPI
    platform: Platform
    checkpointer: Checkpointer


@contextlib.asynccontextmanager
async def running_audit(settings: AuditSettings, schema: str,
                        identity_app: FastAPI) -> AsyncIterator[RunningAudit]:
    jwks = httpx.AsyncClient(transport=httpx.ASGITransport(app=identity_app),
                             base_url=settings.identity_url)
    app = create_app(settings, schema=schema, jwks_client=jwks)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(jwks.aclose)
        await stack.enter_async_context(app.router.lifespan_context(app))
        platform = await open_platform(settings, schema=schema)
        stack.push_async_callback(platform.close)
        await ensure_sources(platform)
        for runner in runners(platform, batch_size=100):
            await runner.start()
            stack.push_async_callback(runner.stop)
        checkpointer = Checkpointer(platform.pool, signing_key(settings),
                                    publish=checkpoint_publisher(platform))
        client = await stack.enter_async_context(httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://audit.test"))
        yield RunningAudit(client, app, platform, checkpointer)
