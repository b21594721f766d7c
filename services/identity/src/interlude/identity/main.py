"""identity's HTTP application: the composition root of the API process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from opentelemetry import trace

from interlude.identity.adapters.oidc import OidcClient
from interlude.identity.adapters.signing import OwnKeys
from interlude.identity.api import organisations, people, scim, sessions, sso
from interlude.identity.api.errors import install_error_handlers
from interlude.identity.projections.people_data import Opener
from interlude.identity.settings import IdentitySettings
from interlude.identity.wiring import MIGRATIONS, build_identity
from interlude.shared.auth import TokenVerifier, install_auth
from interlude.shared.db import migrate
from interlude.shared.http.app import create_app as create_service_app
from interlude.shared.http.health import nats_ready, postgres_ready
from interlude.shared.logs import configure_logging
from interlude.shared.projections.waiter import PositionWaiter
from interlude.shared.runtime import open_platform
from interlude.shared.trust import install_trust_handlers
from interlude.shared.trust.runtime import start_trust


def create_app(settings: IdentitySettings | None = None, *, schema: str | None = None,
               tracer_provider: trace.TracerProvider | None = None) -> FastAPI:
    """``uvicorn --factory interlude.identity.main:create_app``; tests pass settings and a
    PostgreSQL schema of their own."""
    settings = settings or IdentitySettings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        platform = await open_platform(settings, schema=schema)
        async with platform.pool.acquire() as conn:
            await migrate(conn, MIGRATIONS)
        deps = await build_identity(platform, settings)
        trust = await start_trust(platform.nc, platform.pool, service="identity",
                                  namespace=settings.stream_namespace, access=platform.access)
        waiter = PositionWaiter(settings.database_url, platform.pool)
        await waiter.start()
        app.state.identity = deps
        app.state.identity_pool = platform.pool
        app.state.opener = Opener.of(deps.keyring, deps.master_secret)  # the directory's reads
        app.state.identity_stream = platform.stream("identity").name
        app.state.waiter = waiter
        app.state.trust = trust
        app.state.oidc = OidcClient()  # organisations' identity providers (single sign-on)
        app.state.token_verifier = TokenVerifier(OwnKeys(deps.keys),
                                                 issuer=settings.token_issuer,
                                                 revocations=trust.cache)
        app.state.readiness.update({"nats": nats_ready(platform.nc),
                                    "postgres": postgres_ready(platform.pool)})
        try:
            yield
        finally:
            await app.state.oidc.aclose()
            await waiter.stop()
            await trust.stop()
            await platform.close()

    app = create_service_app("interlude identity", lifespan=lifespan, max_body_bytes=256_000,
                             tracer_provider=tracer_provider)
    install_auth(app)  # the verifier is set in the lifespan, once keys and trust are loaded
    install_error_handlers(app)
    install_trust_handlers(app)
    for module in (organisations, people, sessions, sso, scim):
        app.include_router(module.router)
    return app
