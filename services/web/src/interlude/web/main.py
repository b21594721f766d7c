"""web's HTTP application: the composition root. ``uvicorn --factory
interlude.web.main:create_app``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from opentelemetry import trace

from interlude.shared.http.app import ReadinessCheck
from interlude.shared.http.app import create_app as service_app
from interlude.shared.logs import configure_logging
from interlude.web import errors
from interlude.web.badge import Badge
from interlude.web.deps import Web
from interlude.web.keeping import SessionKeeper
from interlude.web.pages import (
    admin,
    authenticator,
    brief,
    circles,
    coach,
    coachee,
    cohort_materials,
    community,
    compliance,
    contracts,
    goals,
    growth,
    invitations,
    links,
    materials,
    my_data,
    notifications,
    passwords,
    people,
    posts,
    proposals,
    public,
    rehearsals,
    sessions,
    sign_on,
    sponsor,
    sso,
    stepping_out,
    threads,
    webhooks,
)
from interlude.web.render import Pages
from interlude.web.security import SecurityHeaders
from interlude.web.sessions import Enrolments, SessionStore
from interlude.web.settings import WebSettings
from interlude.web.upstream import BrowserAddress, Upstream

STATIC = Path(__file__).parent / "static"
ROUTERS = (public.router, proposals.router, authenticator.router, coachee.router, threads.router,
           contracts.router, coach.router, admin.router, compliance.router,
           sponsor.router, goals.router, materials.router, sessions.router,
           invitations.router, people.router, circles.router, community.router, posts.router,
           stepping_out.router,
           brief.router, growth.router, rehearsals.router, notifications.router,
           links.router, my_data.router, sso.router, sign_on.router, cohort_materials.router,
           passwords.router, webhooks.router)


def create_app(settings: WebSettings | None = None, *,
               transports: dict[str, httpx.AsyncBaseTransport] | None = None,
               tracer_provider: trace.TracerProvider | None = None) -> FastAPI:
    """``transports`` replace the network for named services (a benchmark's in-process apps)."""
    settings = settings or WebSettings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    # one line per upstream call is noise; failures are logged where they are handled
    logging.getLogger("httpx").setLevel(logging.WARNING)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            clients = {}
            for name, url in settings.service_urls().items():
                transport = (transports or {}).get(name)
                clients[name] = await stack.enter_async_context(httpx.AsyncClient(
                    base_url=url, transport=transport, timeout=settings.upstream_timeout_s))
            store = SessionStore(settings.session_idle_s, settings.session_max_s,
                                 settings.sessions_max)
            upstream = Upstream(clients, store)
            enrolments = Enrolments()
            app.state.web = Web(settings, store, upstream,
                                Pages(inbox=bool(settings.notify_url)), enrolments,
                                Badge(upstream, settings.unread_ttl_s, store.clock))
            app.state.readiness["identity"] = _answers(clients["identity"])
            keeping = asyncio.create_task(
                SessionKeeper(store, upstream, settings.session_check_s, enrolments).run(),
                name="web sessions kept")
            try:
                yield
            finally:
                keeping.cancel()
                await asyncio.gather(keeping, return_exceptions=True)

    app = service_app("interlude web", lifespan=lifespan, max_body_bytes=200_000,
                      tracer_provider=tracer_provider)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BrowserAddress)
    return app


def _answers(client: httpx.AsyncClient) -> ReadinessCheck:
    async def check() -> str | None:
        try:
            response = await client.get("/healthz")
        except httpx.HTTPError as error:
            return f"identity unreachable ({type(error).__name__})"
        return None if response.is_success else f"identity answers {response.status_code}"
    return check
