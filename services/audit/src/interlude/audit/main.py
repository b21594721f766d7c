"""audit's HTTP application: the composition root of the API process."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from opentelemetry import trace

from interlude.audit.adapters.signing import signing_key
from interlude.audit.api import routes
from interlude.audit.settings import AuditSettings
from interlude.audit.wiring import MIGRATIONS, build_audit, ensure_sources
from interlude.shared.runtime import Platform
from interlude.shared.serving import service_app
from interlude.shared.trust.runtime import Trust


def create_app(settings: AuditSettings | None = None, *, schema: str | None = None,
               tracer_provider: trace.TracerProvider | None = None,
               jwks_client: httpx.AsyncClient | None = None) -> FastAPI:
    """``uvicorn --factory interlude.audit.main:create_app``."""
    settings = settings or AuditSettings()
    key = signing_key(settings)

    async def build(app: FastAPI, platform: Platform, trust: Trust) -> None:
        app.state.audit = build_audit(platform, trust, key, settings)

    # migrations run as the owner; as audit_app they are only checked at start
    return service_app(settings, service="audit", routers=(routes.router,),
                       migrations=MIGRATIONS, prepare=ensure_sources, build=build,
                       schema=schema, jwks_client=jwks_client, tracer_provider=tracer_provider)
