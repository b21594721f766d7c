"""audit's HTTP application: the composition root of the API process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI
from opentelemetry import trace

from interlude.audit.adapters.signing import public_jwk, signing_key
from interlude.audit.api import routes
from interlude.audit.app.checkpoints import Checkpointer
from interlude.audit.settings import AuditSettings
from interlude.audit.wiring import MIGRATIONS, checkpoint_publisher, ensure_sources
from interlude.shared.auth import identity_verifier, install_auth
from interlude.shared.db import migrate
from interlude.shared.http.app import create_app as create_service_app
from interlude.shared.http.health import nats_ready, postgres_ready
from interlude.shared.logs import configure_logging
from interlude.shared.runtime import open_platform
from interlude.shared.trust import install_trust_handlers
from interlude.shared.trust.runtime import start_trust


def create_app(settings: AuditSettings | None = None, *, schema: str | None = None,
               tracer_provider: trace.TracerProvider | None = None,
               jwks_client: httpx.AsyncClient | None = None) -> FastAPI:
    """``uvicorn --factory interlude.audit.main:create_app``."""
    settings = settings or AuditSettings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    key = signing_key(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        platform = await open_platform(settings, schema=schema)
        async with platform.pool.acquire() as conn:  # as audit_app: already applied by the
            await migrate(conn, MIGRATIONS)         # owner, only checked here
        await ensure_sources(platform)
        trust = await start_trust(platform.nc, platform.pool, service="audit",
                                  namespace=settings.stream_namespace, access=platform.access)
        verifier, keys = identity_verifier(settings.identity_url, issuer=settings.token_issuer,
                                           revocations=trust.cache, client=jwks_client)
        app.state.pool = platform.pool
        app.state.access = platform.access
        app.state.trust = trust
        # signs the checkpoint of a purge; the worker signs every other one
        app.state.signer = Checkpointer(platform.pool, key,
                                        publish=checkpoint_publisher(platform))
        app.state.public_key = key.public_key()
        app.state.public_jwks = [public_jwk(key)]
        app.state.token_verifier = verifier
        app.state.readiness.update({"nats": nats_ready(platform.nc),
                                    "postgres": postgres_ready(platform.pool)})
        try:
            yield
        finally:
            await keys.aclose()
            await trust.stop()
            await platform.close()

    app = create_service_app("interlude audit", lifespan=lifespan,
                             tracer_provider=tracer_provider)
    install_auth(app)
    install_trust_handlers(app)
    app.include_router(routes.router)
    return app
