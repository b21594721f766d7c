"""engagement's HTTP application: the composition root of the API process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import nats.errors
from fastapi import FastAPI
from opentelemetry import trace

from interlude.engagement.api import (
    calendar,
    checkins,
    contracts,
    goals,
    messages,
    overview,
    sessions,
)
from interlude.engagement.settings import EngagementSettings
from interlude.engagement.wiring import MIGRATIONS, VIEWS, build_engagement, ensure_sources
from interlude.shared.auth import install_auth
from interlude.shared.errors import install_domain_errors
from interlude.shared.http.app import create_app as create_service_app
from interlude.shared.kit import ReadModels
from interlude.shared.logs import configure_logging
from interlude.shared.serving import serving
from interlude.shared.trust import install_trust_handlers

ROUTERS = (contracts, sessions, checkins, messages, goals, overview, calendar)


def create_app(settings: EngagementSettings | None = None, *, schema: str | None = None,
               tracer_provider: trace.TracerProvider | None = None,
               jwks_client: httpx.AsyncClient | None = None) -> FastAPI:
    """``uvicorn --factory interlude.engagement.main:create_app``; tests pass settings, a
    PostgreSQL schema of their own, and the client that reaches identity's JWKS."""
    settings = settings or EngagementSettings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with serving(app, settings, service="engagement", migrations=MIGRATIONS,
                           prepare=ensure_sources, schema=schema,
                           jwks_client=jwks_client) as (platform, trust):
            app.state.engagement = await build_engagement(platform, settings, trust,
                                                         app.state.waiter)
            app.state.read_models = ReadModels(app.state.waiter, VIEWS,
                                               platform.stream("engagement").name)
            # a check-in decides from the cached contract: another replica's ending must evict it
            following = await app.state.engagement.contracts.follow(platform.nc)
            try:
                yield
            finally:
                with contextlib.suppress(nats.errors.Error):  # NATS may be gone by now
                    await following.unsubscribe()

    app = create_service_app("interlude engagement", lifespan=lifespan, max_body_bytes=256_000,
                             tracer_provider=tracer_provider)
    install_auth(app)  # the verifier is set in the lifespan, with the trust cache
    install_domain_errors(app)
    install_trust_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router)
    return app
