"""Authentication: verifying identity's access tokens (EdDSA JWTs) and the FastAPI
dependencies built on them, plus the credentials services use to call each other."""

from interlude.shared.auth.dependencies import (
    PrincipalDep,
    ServiceDep,
    Standing,
    StandingDep,
    bearer_token,
    current_principal,
    current_service,
    current_standing,
    install_auth,
    require_roles,
)
from interlude.shared.auth.keys import (
    JwksKeySource,
    KeySource,
    PublicKey,
    StaticKeySource,
    UnknownKey,
    key_from_jwk,
    parse_jwks,
    public_jwk,
)
from interlude.shared.auth.principal import (
    AUDIENCE,
    DEFAULT_ISSUER,
    SERVICE_ROLE,
    SERVICE_TENANT,
    Principal,
    PrincipalKind,
)
from interlude.shared.auth.service_tokens import (
    CredentialUnavailable,
    ServiceCredential,
    service_secret,
)
from interlude.shared.auth.tokens import (
    ALGORITHM,
    InvalidToken,
    RevocationCheck,
    TokenVerifier,
    identity_verifier,
)

__all__ = [
    "ALGORITHM",
    "AUDIENCE",
    "DEFAULT_ISSUER",
    "SERVICE_ROLE",
    "SERVICE_TENANT",
    "CredentialUnavailable",
    "InvalidToken",
    "JwksKeySource",
    "KeySource",
    "Principal",
    "PrincipalDep",
    "PrincipalKind",
    "PublicKey",
    "RevocationCheck",
    "ServiceCredential",
    "ServiceDep",
    "Standing",
    "StandingDep",
    "StaticKeySource",
    "TokenVerifier",
    "UnknownKey",
    "bearer_token",
    "current_principal",
    "current_service",
    "current_standing",
    "identity_verifier",
    "install_auth",
    "key_from_jwk",
    "parse_jwks",
    "public_jwk",
    "require_roles",
    "service_secret",
]
