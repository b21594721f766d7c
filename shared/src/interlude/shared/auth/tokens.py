"""Verifying identity's access tokens: EdDSA JWTs, the algorithm pinned, claims checked.

The token contract (identity signs, everyone else verifies): header ``alg`` ``EdDSA`` and
``kid``; claims ``iss``, ``aud``, ``sub`` (user id, or ``service:<name>``), ``tid`` (tenant,
``*`` for services), ``roles``, ``pv`` (policy version, optional for services), ``kind``
(``user`` or ``service``), ``jti``, ``iat`` (float seconds, millisecond precision), ``exp``,
``amr``.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections import OrderedDict
from datetime import datetime
from typing import Any, Protocol

import httpx
import jwt
import orjson

from interlude.shared.auth.keys import JwksKeySource, KeySource, UnknownKey
from interlude.shared.auth.principal import (
    AUDIENCE,
    DEFAULT_ISSUER,
    SERVICE_TENANT,
    Principal,
    from_timestamp_ms,
)

ALGORITHM = "EdDSA"
_ALGORITHMS = [ALGORITHM]  # pinned: never taken from the token (alg=none, HS256 confusion)
_OPTIONS: Any = {"require": ["exp", "iat", "sub", "iss", "aud", "jti"], "verify_sub": True,
                 "verify_jti": True}
_KINDS = frozenset({"user", "service"})

# reason -> what the person holding the token should do about it
REASONS = {
    "malformed": "the access token is not a well-formed JWT; sign in again",
    "algorithm": "the access token is not signed with EdDSA; use a token issued by identity",
    "unknown-key": "the access token is signed with a key identity does not publish; "
                   "sign in again",
    "bad-signature": "the access token's signature does not match its content; sign in again",
    "expired": "the access token has expired; refresh it or sign in again",
    "not-yet-valid": "the access token was issued in the future; check the clock of the "
                     "machine that asked for it",
    "missing-claim": "the access token lacks a claim Interlude needs; sign in again",
    "wrong-issuer": "the access token was not issued by this Interlude's identity service",
    "wrong-audience": "the access token is not meant for Interlude",
    "revoked": "the access token was revoked (account or roles changed); sign in again",
}


class InvalidToken(Exception):
    """The token cannot be trusted. ``reason`` is one of :data:`REASONS` (stable, for clients
    and logs); the message says what to do."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(detail or REASONS.get(reason, "the access token is not valid"))
        self.reason = reason
        self.detail = str(self)


class RevocationCheck(Protocol):
    """Answers from memory whether a user's tokens issued at ``issued_at`` are refused
    (deactivated, forgotten, or roles changed since); see ``interlude.shared.trust``."""

    def is_revoked(self, tenant_id: str, user_id: str, issued_at: datetime) -> bool: ...


def _header(token: str) -> dict[str, Any]:
    """The unverified JOSE header: only ``alg`` and ``kid`` are read, to pick the key."""
    head, dot, _ = token.partition(".")
    if not dot:
        raise InvalidToken("malformed")
    try:
        header = orjson.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (binascii.Error, ValueError):
        raise InvalidToken("malformed") from None
    if not isinstance(header, dict):
        raise InvalidToken("malformed")
    return header


def _translate(err: jwt.PyJWTError) -> InvalidToken:
    match err:
        case jwt.ExpiredSignatureError():
            return InvalidToken("expired")
        case jwt.ImmatureSignatureError():
            return InvalidToken("not-yet-valid")
        case jwt.InvalidSignatureError():
            return InvalidToken("bad-signature")
        case jwt.InvalidAlgorithmError():
            return InvalidToken("algorithm")
        case jwt.MissingRequiredClaimError():
            return InvalidToken("missing-claim", f"the access token lacks the {err.claim!r} "
                                                 "claim; sign in again")
        case jwt.InvalidIssuerError():
            return InvalidToken("wrong-issuer")
        case jwt.InvalidAudienceError():
            return InvalidToken("wrong-audience")
    return InvalidToken("malformed")


def _claims_principal(claims: dict[str, Any]) -> Principal:
    """The Principal of decoded claims, checking what PyJWT does not: types and consistency."""
    tid, kind, roles, pv = claims.get("tid"), claims.get("kind"), claims.get("roles"), \
        claims.get("pv")
    sub, amr, iat = claims["sub"], claims.get("amr", []), claims["iat"]
    if not isinstance(tid, str) or not tid:
        raise InvalidToken("missing-claim", "the access token names no organisation ('tid')")
    if kind not in _KINDS or (kind == "user") == (tid == SERVICE_TENANT):
        raise InvalidToken("missing-claim", "the access token's 'kind' is missing or does not "
                                            "match its organisation")
    if kind == "service" and not sub.startswith("service:"):
        raise InvalidToken("missing-claim", "a service token's subject must be service:<name>")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise InvalidToken("missing-claim", "the access token's 'roles' must be a list of names")
    if not (pv is None and kind == "service") and (type(pv) is not int):
        raise InvalidToken("missing-claim", "the access token's policy version 'pv' is missing")
    if not isinstance(amr, list) or not all(isinstance(a, str) for a in amr):
        raise InvalidToken("missing-claim", "the access token's 'amr' must be a list")
    if type(iat) not in (int, float) or type(claims["exp"]) not in (int, float):
        raise InvalidToken("malformed")
    return Principal(user_id=sub, tenant_id=tid, roles=frozenset(roles), policy_version=pv,
                     kind=kind, token_id=claims["jti"], issued_at=from_timestamp_ms(iat),
                     expires_at=from_timestamp_ms(claims["exp"]), amr=tuple(amr))


class TokenVerifier:
    """Verifies access tokens; :meth:`verify` gives the :class:`Principal` or raises
    :class:`InvalidToken`. ``revocations`` (the trust cache) refuses tokens of deactivated
    users and tokens issued before a user's roles changed."""

    def __init__(self, keys: KeySource, *, issuer: str = DEFAULT_ISSUER,
                 audience: str = AUDIENCE, revocations: RevocationCheck | None = None,
                 leeway: float = 0, remember: int = 10_000) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.revocations = revocations
        self.leeway = leeway
        # tokens whose signature and claims were checked, until they expire: a client sends
        # the same token for minutes, and the signature check is most of a request's cost
        self._verified: OrderedDict[str, tuple[Principal, str]] = OrderedDict()
        self._remember = remember

    async def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None and known[0].expires_at.timestamp() + self.leeway > time.time():
            principal, kid = known
            try:  # its key must still be published: a withdrawn key ends its tokens at once
                await self.keys.key(kid)
            except UnknownKey:
                self._verified.pop(token, None)
                raise InvalidToken("unknown-key") from None
        else:
            principal, kid = await self._verify(token)
            self._verified[token] = (principal, kid)
            if len(self._verified) > self._remember:
                self._verified.popitem(last=False)
        # revocation is checked on every request: a deactivation counts at once
        if (self.revocations is not None and principal.kind == "user"
                and self.revocations.is_revoked(principal.tenant_id, principal.user_id,
                                                principal.issued_at)):
            raise InvalidToken("revoked")
        return principal

    async def _verify(self, token: str) -> tuple[Principal, str]:
        header = _header(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise InvalidToken("unknown-key", "the access token's header names no key ('kid'); "
                                              "sign in again")
        try:
            key = await self.keys.key(kid)
        except UnknownKey:
            raise InvalidToken("unknown-key") from None
        try:
            claims = jwt.decode(token, key, algorithms=_ALGORITHMS, options=_OPTIONS,
                                audience=self.audience, issuer=self.issuer, leeway=self.leeway)
        except jwt.PyJWTError as err:
            raise _translate(err) from None
        return _claims_principal(claims), kid


def identity_verifier(identity_url: str, *, issuer: str = DEFAULT_ISSUER,
                      revocations: RevocationCheck | None = None,
                      client: httpx.AsyncClient | None = None,
                      ) -> tuple[TokenVerifier, JwksKeySource]:
    """How every service but identity checks its callers: identity's JWKS at ``identity_url``,
    cached, and ``revocations`` (the trust cache) refusing deactivated users. Close the returned
    key source at shutdown."""
    keys = JwksKeySource(f"{identity_url.rstrip('/')}/.well-known/jwks.json", client=client)
    return TokenVerifier(keys, issuer=issuer, revocations=revocations), keys
