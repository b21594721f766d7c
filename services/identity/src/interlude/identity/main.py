"""identity's HTTP application: the composition root of the API process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from opentelemetry import trace

from interlude.identity.adapters.oidc import OidcClient
from interlude.identity.adapters.signing import OwnKeys
from interlude.identity.api import organisations, people, scim, scim_schemas, sessions, sso
from interlude.identity.projections.directory import NAME as DIRECTORY
from interlude.identity.settings import IdentitySettings
from interlude.identity.wiring import MIGRATIONS, build_identity, ensure_sources
from interlude.shared.auth import install_auth
from interlude.shared.errors import install_domain_errors
from interlude.shared.http.app import create_app as create_service_app
from interlude.shared.kit import ReadModels
from interlude.shared.logs import configure_logging
from interlude.shared.serving import serving, verify_own_tokens
from interlude.shared.trust import install_trust_handlers

ROUTERS = (organisations, people, sessions, sso, scim)


def create_app(settings: IdentitySettings | None = None, *, schema: str | None = None,
               tracer_provider: trace.TracerProvider | None = None) -> FastAPI:
    """``uvicorn --factory interlude.identity.main:create_app``; tests pass settings and a
    PostgreSQL schema of their own."""
    settings = settings or IdentitySettings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # identity signs the tokens: it verifies them with its own keys, not through a JWKS
        async with serving(app, settings, service="identity", migrations=MIGRATIONS,
                           prepare=ensure_sources, schema=schema,
                           signs_tokens=True) as (platform, trust):
            deps = await build_identity(platform, settings)
            deps.read_models = ReadModels(app.state.waiter, DIRECTORY,
                                          platform.stream("identity").name)
            deps.oidc = OidcClient()  # organisations' identity providers (single sign-on)
            app.state.identity = deps
            app.state.read_models = deps.read_models
            verify_own_tokens(app, OwnKeys(deps.keys), settings.token_issuer, trust)
            try:
                yield
            finally:
                await deps.oidc.aclose()

    app = create_service_app("interlude identity", lifespan=lifespan, max_body_bytes=256_000,
                             tracer_provider=tracer_provider)
    install_auth(app)  # the verifier is set in the lifespan, once keys and trust are loaded
    install_domain_errors(app)
    install_trust_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router)
    scim_schemas.describe(app)  # SCIM's errors are its own, not FastAPI's 422
    return app
