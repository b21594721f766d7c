"""engagement's HTTP application: the composition root of the API process."""

from __future__ import annotations

import contextlib
from functools import partial

import httpx
import nats.errors
from fastapi import FastAPI
from opentelemetry import trace

from interlude.engagement.api import (
    calendar,
    checkins,
    contracts,
    goals,
    materials,
    messages,
    overview,
    sessions,
)
from interlude.engagement.app import subject_access
from interlude.engagement.settings import EngagementSettings
from interlude.engagement.wiring import MIGRATIONS, VIEWS, build_engagement, ensure_sources
from interlude.shared.kit import ReadModels
from interlude.shared.runtime import Platform
from interlude.shared.serving import Closer, service_app
from interlude.shared.subject_access import answer_with_platform
from interlude.shared.trust.runtime import Trust

ROUTERS = tuple(m.router for m in (contracts, sessions, checkins, messages, goals, materials,
                                   overview, calendar))


def create_app(settings: EngagementSettings | None = None, *, schema: str | None = None,
               tracer_provider: trace.TracerProvider | None = None,
               jwks_client: httpx.AsyncClient | None = None) -> FastAPI:
    """``uvicorn --factory interlude.engagement.main:create_app``; tests pass settings, a
    PostgreSQL schema of their own, and the client that reaches identity's JWKS."""
    settings = settings or EngagementSettings()

    async def build(app: FastAPI, platform: Platform, trust: Trust) -> Closer:
        app.state.engagement = await build_engagement(platform, settings, trust,
                                                     app.state.waiter)
        app.state.read_models = ReadModels(app.state.waiter, VIEWS,
                                           platform.stream("engagement").name,
                                           app.state.engagement.contracts.store.last_position)
        # a check-in decides from the cached contract: another replica's ending must evict it
        following = await app.state.engagement.contracts.follow(platform.nc)
        # its section of a person's export, when audit asks (interlude.shared.subject_access)
        answering = await answer_with_platform(
            platform, partial(subject_access.section, app.state.engagement))

        async def close() -> None:
            with contextlib.suppress(nats.errors.Error):  # NATS may be gone by now
                await following.unsubscribe()
                await answering.unsubscribe()

        return close

    return service_app(settings, service="engagement", routers=ROUTERS, migrations=MIGRATIONS,
                       prepare=ensure_sources, build=build, schema=schema,
                       jwks_client=jwks_client, tracer_provider=tracer_provider,
                       max_body_bytes=256_000)
