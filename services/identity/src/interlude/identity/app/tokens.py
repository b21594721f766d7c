"""Access tokens (short-lived JWTs signed with EdDSA) and the session a sign-in opens."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from interlude.identity.adapters.digests import same
from interlude.identity.app.deps import Identity
from interlude.identity.domain.user import User
from interlude.shared.auth import AUDIENCE, service_secret
from interlude.shared.errors import DomainError
from interlude.shared.ids import new_id


class UnsupportedGrant(DomainError):
    status, slug = 400, "unsupported-grant-type"


class InvalidClient(DomainError):
    status, slug = 401, "invalid-client"


@dataclass(frozen=True)
class TokenPair:
    tenant_id: str
    user_id: str
    access_token: str
    refresh_token: str
    expires_in: int
    roles: tuple[str, ...]

    def public(self) -> dict[str, object]:
        return {"token_type": "Bearer", "access_token": self.access_token,
                "refresh_token": self.refresh_token, "expires_in": self.expires_in,
                "tenant_id": self.tenant_id, "user_id": self.user_id, "roles": list(self.roles)}


async def sign(deps: Identity, claims: Mapping[str, object], now: datetime,
               ttl: timedelta) -> str:
    key = await deps.keys.current()
    body = {"iss": deps.settings.token_issuer, "aud": AUDIENCE, "jti": new_id(),
            "iat": round(now.timestamp(), 3), "exp": int((now + ttl).timestamp()), **claims}
    return jwt.encode(body, key.private, algorithm="EdDSA", headers={"kid": key.kid})


async def access_token(deps: Identity, tenant_id: str, user_id: str, roles: tuple[str, ...],
                       amr: tuple[str, ...], now: datetime) -> str:
    org = await deps.orgs.load(tenant_id, tenant_id)
    claims = {"sub": user_id, "tid": tenant_id, "roles": list(roles), "kind": "user",
              "pv": org.state.policy_version, "amr": list(amr)}
    return await sign(deps, claims, now, deps.settings.access_ttl)


async def open_session(deps: Identity, tenant_id: str, user_id: str, user: User,
                       amr: tuple[str, ...], now: datetime,
                       family_id: str | None = None) -> TokenPair:
    """A new access token and the next refresh token of the family (a new family at sign-in)."""
    access = await access_token(deps, tenant_id, user_id, user.roles, amr, now)
    refresh = await deps.refresh.issue(tenant_id, user_id, amr, now, family_id)
    return TokenPair(tenant_id, user_id, access, refresh, deps.settings.access_token_ttl_s,
                     user.roles)


async def service_token(deps: Identity, grant_type: str, service: str, secret: str) -> str:
    """OAuth 2.0 client credentials: a service's access token for the few calls one service
    makes to another."""
    if grant_type != "client_credentials":
        raise UnsupportedGrant("use grant_type=client_credentials")
    if not same(service_secret(deps.master_secret, service), secret):
        raise InvalidClient("unknown service or wrong secret")
    claims = {"sub": f"service:{service}", "tid": "*", "roles": ["service"], "kind": "service",
              "amr": ["client_credentials"]}
    return await sign(deps, claims, deps.clock(), deps.settings.access_ttl)
