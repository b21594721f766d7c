"""Access tokens shaped exactly as identity issues them, signed with a key of the test's own:
for tests and benchmarks of token verification that need no running identity."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from interlude.shared.auth import AUDIENCE, DEFAULT_ISSUER, StaticKeySource, TokenVerifier


def token_claims(**changes: Any) -> dict[str, Any]:
    """identity's claims (see ``interlude.identity.app.tokens``) with ``changes`` applied; a
    change to None removes the claim."""
    now = round(time.time(), 3)
    base: dict[str, Any] = {
        "iss": DEFAULT_ISSUER, "aud": AUDIENCE, "sub": uuid.uuid4().hex,
        "tid": uuid.uuid4().hex, "roles": ["coachee"], "pv": 1, "kind": "user",
        "jti": uuid.uuid4().hex, "iat": now, "exp": int(now) + 900, "amr": ["pwd"]}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


class TokenSigner:
    """An Ed25519 key under ``kid`` that signs identity-shaped access tokens."""

    def __init__(self, kid: str = "k1") -> None:
        self.kid = kid
        self.private = Ed25519PrivateKey.generate()
        self.public = self.private.public_key()

    def sign(self, **changes: Any) -> str:
        return jwt.encode(token_claims(**changes), self.private, algorithm="EdDSA",
                          headers={"kid": self.kid})

    def verifier(self, remember: int = 10_000) -> TokenVerifier:
        """A verifier that trusts this key only (``remember=0``: checks every token in full)."""
        return TokenVerifier(StaticKeySource({self.kid: self.public}), remember=remember)
