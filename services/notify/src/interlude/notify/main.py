"""notify's HTTP application: the composition root of the API process."""

from __future__ import annotations

from functools import partial

import httpx
from fastapi import FastAPI
from opentelemetry import trace

from interlude.notify import outbound  # outbound
from interlude.notify.api import inbox
from interlude.notify.app import subject_access
from interlude.notify.app.live import Live
from interlude.notify.settings import NotifySettings
from interlude.notify.wiring import MIGRATIONS, VIEWS, build_notify, ensure_sources
from interlude.shared.kit import ReadModels
from interlude.shared.runtime import Platform
from interlude.shared.serving import Closer, service_app
from interlude.shared.subject_access import answer_with_platform
from interlude.shared.trust.runtime import Trust

ROUTERS = (inbox.router, *outbound.ROUTERS)  # outbound


def create_app(settings: NotifySettings | None = None, *, schema: str | None = None,
               tracer_provider: trace.TracerProvider | None = None,
               jwks_client: httpx.AsyncClient | None = None) -> FastAPI:
    """``uvicorn --factory interlude.notify.main:create_app``; tests pass settings, a
    PostgreSQL schema of their own, and the client that reaches identity's JWKS."""
    settings = settings or NotifySettings()

    async def build(app: FastAPI, platform: Platform, trust: Trust) -> Closer:
        app.state.notify = await build_notify(platform, settings, trust)
        app.state.outbound = await outbound.build(platform, settings, trust)  # outbound
        app.state.read_models = ReadModels(app.state.waiter, VIEWS,
                                           platform.stream("notify").name,
                                           app.state.notify.store.last_position)
        # its section of a person's export, when audit asks (interlude.shared.subject_access)
        await answer_with_platform(platform, partial(subject_access.section, app.state.notify))
        live = Live(settings.database_url)
        await live.start()
        app.state.live = live
        return live.stop

    return service_app(settings, service="notify", routers=ROUTERS, migrations=MIGRATIONS,
                       prepare=ensure_sources, build=build, schema=schema,
                       jwks_client=jwks_client, tracer_provider=tracer_provider,
                       max_body_bytes=16_000)
