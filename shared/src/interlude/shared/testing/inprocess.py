"""A service's API inside a test or a benchmark, beside identity: its settings on the test's
servers, its lifespan run, identity's JWKS reached over ASGI, and a client for it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI

from interlude.shared.serving import CallerSettings

S = TypeVar("S", bound=CallerSettings)


def caller_settings(cls: type[S], nats_url: str, postgres_dsn: str, namespace: str,
                    master_secret: str, **overrides: Any) -> S:
    """Settings of a service that trusts identity's tokens, on the test's own streams."""
    values: dict[str, Any] = {
        "nats_url": nats_url, "database_url": postgres_dsn, "stream_namespace": namespace,
        "master_secret": master_secret, "log_json": False,
        "identity_url": "http://identity.test", **overrides}
    return cls(**values)


@contextlib.asynccontextmanager
async def api_in_process(create_app: Callable[..., FastAPI], settings: CallerSettings,
                         schema: str, identity_app: FastAPI,
                         base_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app from ``create_app(settings, schema=, jwks_client=)`` started, and a client."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=identity_app),
                                 base_url=settings.identity_url) as jwks:
        app = create_app(settings, schema=schema, jwks_client=jwks)
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=base_url) as client:
            yield app, client
