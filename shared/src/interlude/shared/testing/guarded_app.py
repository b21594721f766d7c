"""A stand-in for "any other service": it verifies identity's tokens through the JWKS and
enforces the security policy from its own trust cache, as engagement or community will.

Tests run it as a separate process (``python -m interlude.shared.testing.guarded_app``,
configured like a service by ``INTERLUDE_*`` variables plus ``INTERLUDE_IDENTITY_URL`` and
``GUARDED_PORT``) to show that a policy change or a deactivation reaches another process, and
that it keeps enforcing while identity is down.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import Annotated

import uvicorn
from fastapi import FastAPI, Query

from interlude.shared.auth import PrincipalDep, identity_verifier, install_auth
from interlude.shared.config import PlatformSettings
from interlude.shared.http.app import create_app
from interlude.shared.runtime import open_platform
from interlude.shared.trust import install_trust_handlers
from interlude.shared.trust.runtime import start_trust


def build(settings: PlatformSettings, identity_url: str) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        platform = await open_platform(settings)
        trust = await start_trust(platform.nc, platform.pool, service=settings.service_name,
                                  namespace=settings.stream_namespace, access=platform.access)
        app.state.trust = trust
        app.state.token_verifier, keys = identity_verifier(identity_url,
                                                           revocations=trust.cache)
        try:
            yield
        finally:
            await keys.aclose()
            await trust.stop()
            await platform.close()

    app = create_app("guarded", lifespan=lifespan)
    install_auth(app)  # the verifier is set in the lifespan, with the trust cache
    install_trust_handlers(app)

    @app.get("/v1/guarded/{key}")
    async def guarded(key: str, principal: PrincipalDep,
                      tenant: Annotated[str | None, Query()] = None) -> dict[str, object]:
        """Enforce ``key`` for the caller's organisation (or ``tenant``) and say who called."""
        trust = app.state.trust
        policy = await trust.enforce(tenant or principal.tenant_id, key, actor=principal.actor,
                                     action="read", resource_type="guarded", resource_id=key)
        return {"user_id": principal.user_id, "roles": sorted(principal.roles),
                "policy_version": trust.cache.policy_version(tenant or principal.tenant_id),
                "value": policy.value(key)}

    return app


def main() -> None:
    settings = PlatformSettings(service_name="guarded")
    app = build(settings, os.environ["INTERLUDE_IDENTITY_URL"])
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["GUARDED_PORT"]), log_level="warning")


if __name__ == "__main__":
    main()
