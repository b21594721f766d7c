"""community's HTTP application: the composition root of the API process."""

from __future__ import annotations

from functools import partial

import httpx
from fastapi import FastAPI
from opentelemetry import trace

from interlude.community.api import circles, materials, posts, rehearsals, spaces
from interlude.community.app import subject_access
from interlude.community.settings import CommunitySettings
from interlude.community.wiring import MIGRATIONS, VIEWS, build_community, ensure_sources
from interlude.shared.kit import ReadModels
from interlude.shared.runtime import Platform
from interlude.shared.serving import service_app
from interlude.shared.subject_access import answer_with_platform
from interlude.shared.trust.runtime import Trust

ROUTERS = (spaces.router, circles.router, posts.router, rehearsals.router, materials.router)


def create_app(settings: CommunitySettings | None = None, *, schema: str | None = None,
               tracer_provider: trace.TracerProvider | None = None,
               jwks_client: httpx.AsyncClient | None = None) -> FastAPI:
    """``uvicorn --factory interlude.community.main:create_app``; tests pass settings, a
    PostgreSQL schema of their own, and the client that reaches identity's JWKS."""
    settings = settings or CommunitySettings()

    async def build(app: FastAPI, platform: Platform, trust: Trust) -> None:
        app.state.community = community = await build_community(platform, settings, trust)
        # its section of a person's export, when audit asks (interlude.shared.subject_access)
        await answer_with_platform(platform, partial(subject_access.section, community))
        app.state.read_models = ReadModels(app.state.waiter, VIEWS,
                                           platform.stream("community").name,
                                           community.store.last_position)

    return service_app(settings, service="community", routers=ROUTERS, migrations=MIGRATIONS,
                       prepare=ensure_sources, build=build, schema=schema,
                       jwks_client=jwks_client, tracer_provider=tracer_provider,
                       max_body_bytes=64_000)
