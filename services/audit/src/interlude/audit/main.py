"""audit's HTTP application: the composition root of the API process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI
from opentelemetry import trace

from interlude.audit.adapters.signing import signing_key
from interlude.audit.api import routes
from interlude.audit.settings import AuditSettings
from interlude.audit.wiring import MIGRATIONS, build_audit, ensure_sources
from interlude.shared.auth import install_auth
from interlude.shared.errors import install_domain_errors
from interlude.shared.http.app import create_app as create_service_app
from interlude.shared.logs import configure_logging
from interlude.shared.serving import serving
from interlude.shared.trust import install_trust_handlers


def create_app(settings: AuditSettings | None = None, *, schema: str | None = None,
               tracer_provider: trace.TracerProvider | None = None,
               jwks_client: httpx.AsyncClient | None = None) -> FastAPI:
    """``uvicorn --factory interlude.audit.main:create_app``."""
    settings = settings or AuditSettings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    key = signing_key(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # migrations run as the owner; as audit_app they are only checked here
        async with serving(app, settings, service="audit", migrations=MIGRATIONS,
                           prepare=ensure_sources, schema=schema,
                           jwks_client=jwks_client) as (platform, trust):
            app.state.audit = build_audit(platform, trust, key)
            yield

    app = create_service_app("interlude audit", lifespan=lifespan,
                             tracer_provider=tracer_provider)
    install_auth(app)
    install_domain_errors(app)
    install_trust_handlers(app)
    app.include_router(routes.router)
    return app
