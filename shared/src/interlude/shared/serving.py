"""What the API process of every service does at start and stop: open the platform, check its
migrations, make sure the streams it reads exist, start its copy of the organisations' policies
and revocations, verify identity's tokens, wait for read models on ``?after=``; and close it
all again in reverse. identity, which signs the tokens, verifies them with its own keys
(``signs_tokens=True``: it sets ``app.state.token_verifier`` once its keys are loaded).

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with serving(app, settings, service="community", migrations=MIGRATIONS,
                           prepare=ensure_sources, schema=schema,
                           jwks_client=jwks_client) as (platform, trust):
            app.state.community = await build_community(platform, settings, trust)
            yield
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
from fastapi import FastAPI

from interlude.shared.auth import DEFAULT_ISSUER, KeySource, TokenVerifier, identity_verifier
from interlude.shared.config import PlatformSettings
from interlude.shared.db import migrate
from interlude.shared.http.health import nats_ready, postgres_ready
from interlude.shared.http.projection_metrics import watch_projections
from interlude.shared.projections.waiter import PositionWaiter
from interlude.shared.runtime import Platform, open_platform
from interlude.shared.trust.runtime import Trust, start_trust


class CallerSettings(PlatformSettings):
    """Settings of a service whose callers bring identity's tokens."""

    identity_url: str = "http://127.0.0.1:8101"  # where the JWKS is (make run sets it)
    token_issuer: str = DEFAULT_ISSUER


def verify_own_tokens(app: FastAPI, keys: KeySource, issuer: str, trust: Trust) -> None:
    """For the service that signs the tokens (``serving(..., signs_tokens=True)``): its callers'
    tokens are checked against ``keys``, and deactivated people refused by the trust cache."""
    app.state.token_verifier = TokenVerifier(keys, issuer=issuer, revocations=trust.cache)


@contextlib.asynccontextmanager
async def serving(app: FastAPI, settings: PlatformSettings, *, service: str, migrations: Path,
                  prepare: Callable[[Platform], Awaitable[None]], schema: str | None = None,
                  jwks_client: httpx.AsyncClient | None = None, signs_tokens: bool = False
                  ) -> AsyncIterator[tuple[Platform, Trust]]:
    """Sets ``app.state`` ``trust``, ``token_verifier`` (unless ``signs_tokens``: see
    :func:`verify_own_tokens`), ``waiter`` and the readiness checks, reports the service's
    projections on ``/metrics``; yields the open platform and the trust cache. ``settings`` are
    :class:`CallerSettings` unless ``signs_tokens``."""
    platform = await open_platform(settings, schema=schema)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(platform.close)
        async with platform.pool.acquire() as conn:
            await migrate(conn, migrations)
        await prepare(platform)
        trust = await start_trust(platform.nc, platform.pool, service=service,
                                  namespace=settings.stream_namespace, access=platform.access)
        stack.push_async_callback(trust.stop)
        if not signs_tokens:
            if not isinstance(settings, CallerSettings):
                raise TypeError(f"{service}'s settings do not say where identity's JWKS is"
                                " (CallerSettings.identity_url)")
            verifier, keys = identity_verifier(settings.identity_url,
                                               issuer=settings.token_issuer,
                                               revocations=trust.cache, client=jwks_client)
            stack.push_async_callback(keys.aclose)
            app.state.token_verifier = verifier
        waiter = PositionWaiter(settings.database_url, platform.pool)
        await waiter.start()
        stack.push_async_callback(waiter.stop)
        app.state.trust = trust
        app.state.waiter = waiter
        app.state.readiness.update({"nats": nats_ready(platform.nc),
                                    "postgres": postgres_ready(platform.pool)})
        watch_projections(app.state.metrics, platform.pool, platform.js,
                          platform.stream("deadletter"))
        yield platform, trust
