"""identity's HTTP application: the composition root of the API process."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI
from opentelemetry import trace

from interlude.identity.adapters.oidc import OidcClient
from interlude.identity.adapters.signing import OwnKeys
from interlude.identity.api import (
    organisations,
    passwords,
    people,
    scim,
    scim_schemas,
    sessions,
    sso,
)
from interlude.identity.app import subject_access
from interlude.identity.projections.directory import NAME as DIRECTORY
from interlude.identity.settings import IdentitySettings
from interlude.identity.wiring import MIGRATIONS, build_identity, ensure_sources
from interlude.shared.kit import ReadModels
from interlude.shared.runtime import Platform
from interlude.shared.serving import Closer, service_app, verify_own_tokens
from interlude.shared.subject_access import answer_with_platform
from interlude.shared.trust.runtime import Trust

ROUTERS = (organisations.router, people.router, passwords.router, sessions.router, sso.router,
           scim.router)


def create_app(settings: IdentitySettings | None = None, *, schema: str | None = None,
               tracer_provider: trace.TracerProvider | None = None) -> FastAPI:
    """``uvicorn --factory interlude.identity.main:create_app``; tests pass settings and a
    PostgreSQL schema of their own."""
    settings = settings or IdentitySettings()

    async def build(app: FastAPI, platform: Platform, trust: Trust) -> Closer:
        deps = await build_identity(platform, settings)
        deps.read_models = ReadModels(app.state.waiter, DIRECTORY,
                                      platform.stream("identity").name,
                                      deps.users.store.last_position)
        deps.oidc = OidcClient()  # organisations' identity providers (single sign-on)
        app.state.identity = deps
        app.state.read_models = deps.read_models
        verify_own_tokens(app, OwnKeys(deps.keys), settings.token_issuer, trust)
        # its section of a person's export, when audit asks (interlude.shared.subject_access)
        await answer_with_platform(platform, partial(subject_access.section, deps))
        return deps.oidc.aclose

    # identity signs the tokens: it verifies them with its own keys, not through a JWKS
    app = service_app(settings, service="identity", routers=ROUTERS, migrations=MIGRATIONS,
                      prepare=ensure_sources, build=build, schema=schema,
                      tracer_provider=tracer_provider, max_body_bytes=256_000,
                      signs_tokens=True)
    scim_schemas.describe(app)  # SCIM's errors are its own, not FastAPI's 422
    return app
