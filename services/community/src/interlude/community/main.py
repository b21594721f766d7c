"""community's HTTP application: the composition root of the API process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI
from opentelemetry import trace

from interlude.community.api import posts, rehearsals, spaces
from interlude.community.settings import CommunitySettings
from interlude.community.wiring import MIGRATIONS, VIEWS, build_community, ensure_sources
from interlude.shared.auth import install_auth
from interlude.shared.errors import install_domain_errors
from interlude.shared.http.app import create_app as create_service_app
from interlude.shared.kit import ReadModels
from interlude.shared.logs import configure_logging
from interlude.shared.serving import serving
from interlude.shared.trust import install_trust_handlers

ROUTERS = (spaces, posts, rehearsals)


def create_app(settings: CommunitySettings | None = None, *, schema: str | None = None,
               tracer_provider: trace.TracerProvider | None = None,
               jwks_client: httpx.AsyncClient | None = None) -> FastAPI:
    """``uvicorn --factory interlude.community.main:create_app``; tests pass settings, a
    PostgreSQL schema of their own, and the client that reaches identity's JWKS."""
    settings = settings or CommunitySettings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with serving(app, settings, service="community", migrations=MIGRATIONS,
                           prepare=ensure_sources, schema=schema,
                           jwks_client=jwks_client) as (platform, trust):
            app.state.community = await build_community(platform, settings, trust)
            app.state.read_models = ReadModels(app.state.waiter, VIEWS,
                                               platform.stream("community").name)
            yield

    app = create_service_app("interlude community", lifespan=lifespan, max_body_bytes=64_000,
                             tracer_provider=tracer_provider)
    install_auth(app)  # the verifier is set in the lifespan, with the trust cache
    install_domain_errors(app)
    install_trust_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router)
    return app
