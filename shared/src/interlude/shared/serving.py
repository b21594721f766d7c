"""What the API process of every service does at start and stop: open the platform, check its
migrations, make sure the streams it reads exist, start its copy of the organisations' policies
and revocations, verify identity's tokens, wait for read models on ``?after=``; and close it
all again in reverse. identity, which signs the tokens, verifies them with its own keys
(``signs_tokens=True``: it sets ``app.state.token_verifier`` once its keys are loaded).

A service's ``main.py`` hands :func:`service_app` its routers and a ``build`` that puts its
application object on ``app.state`` once the platform is open::

    async def build(app: FastAPI, platform: Platform, trust: Trust) -> None:
        app.state.notify = await build_notify(platform, settings, trust)

    return service_app(settings, service="notify", routers=(inbox.router,),
                       migrations=MIGRATIONS, prepare=ensure_sources, build=build, ...)
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path

import httpx
from fastapi import APIRouter, FastAPI
from opentelemetry import trace

from interlude.shared.auth import (
    DEFAULT_ISSUER,
    KeySource,
    TokenVerifier,
    identity_verifier,
    install_auth,
)
from interlude.shared.config import PlatformSettings
from interlude.shared.errors import install_domain_errors
from interlude.shared.http.app import create_app
from interlude.shared.http.health import nats_ready, postgres_ready
from interlude.shared.http.projection_metrics import watch_projections
from interlude.shared.logs import configure_logging
from interlude.shared.projections.waiter import PositionWaiter
from interlude.shared.runtime import Platform, started
from interlude.shared.trust import install_trust_handlers
from interlude.shared.trust.runtime import Trust, start_trust

Closer = Callable[[], Awaitable[None]]
# wires the service onto app.state once the platform is open; may return what to close at stop
Build = Callable[[FastAPI, Platform, Trust], Awaitable[Closer | None]]


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
    async with contextlib.AsyncExitStack() as stack:
        platform = await stack.enter_async_context(
            started(settings, migrations=migrations, prepare=prepare, schema=schema))
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


def service_app(settings: PlatformSettings, *, service: str, routers: Iterable[APIRouter],
                migrations: Path, prepare: Callable[[Platform], Awaitable[None]], build: Build,
                schema: str | None = None, jwks_client: httpx.AsyncClient | None = None,
                tracer_provider: trace.TracerProvider | None = None,
                max_body_bytes: int = 1_000_000, signs_tokens: bool = False) -> FastAPI:
    """A service's HTTP app, as its ``main.create_app`` answers it: logging configured, the
    lifespan :func:`serving` then ``build``, the caller's token checked (the verifier is set
    in the lifespan, with the trust cache), domain errors answered as problems, the trust
    cache's outage as 503, and ``routers`` included."""
    configure_logging(settings.service_name, settings.log_level, settings.log_json)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with serving(app, settings, service=service, migrations=migrations,
                           prepare=prepare, schema=schema, jwks_client=jwks_client,
                           signs_tokens=signs_tokens) as (platform, trust):
            close = await build(app, platform, trust)
            try:
                yield
            finally:
                if close is not None:
                    await close()

    app = create_app(f"interlude {service}", lifespan=lifespan, max_body_bytes=max_body_bytes,
                     tracer_provider=tracer_provider)
    install_auth(app)
    install_domain_errors(app)
    install_trust_handlers(app)
    for router in routers:
        app.include_router(router)
    return app
