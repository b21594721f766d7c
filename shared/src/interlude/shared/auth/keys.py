"""Where token verification finds identity's public keys: its JWKS document, or a fixed set.

identity publishes its signing keys at ``/.well-known/jwks.json`` (several while it rotates).
Every service fetches and caches them; a token naming a key not seen yet triggers one refetch,
rate-limited so that tokens with made-up key ids cannot make us hammer identity, and the cached
keys keep working while identity is unreachable.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
from collections.abc import Mapping
from typing import Any, Protocol

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

log = logging.getLogger(__name__)
PublicKey = Ed25519PublicKey


class UnknownKey(KeyError):
    """No public key with this ``kid`` is known, even after asking identity again."""


class KeySource(Protocol):
    """Gives the public key a token names in its header's ``kid``."""

    async def key(self, kid: str) -> PublicKey:
        """The key, or :class:`UnknownKey`."""
        ...


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk(kid: str, key: PublicKey) -> dict[str, str]:
    """The JWK (RFC 8037) that publishes ``key`` in a JWKS document."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw), "kid": kid, "alg": "EdDSA",
            "use": "sig"}


def key_from_jwk(jwk: Mapping[str, Any]) -> PublicKey | None:
    """The Ed25519 key of a JWK, or None when it is not an Ed25519 signing key."""
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or jwk.get("use", "sig") != "sig":
        return None
    if jwk.get("alg", "EdDSA") != "EdDSA" or not isinstance(jwk.get("x"), str):
        return None
    x = jwk["x"]
    return Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))


def parse_jwks(document: Any) -> dict[str, PublicKey]:
    """The usable keys of a JWKS document by ``kid``; unusable entries are skipped."""
    keys: dict[str, PublicKey] = {}
    for jwk in document.get("keys", []) if isinstance(document, dict) else []:
        if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
            continue
        try:
            key = key_from_jwk(jwk)
        except ValueError:  # bad base64 or a key of the wrong length
            key = None
        if key is not None:
            keys[jwk["kid"]] = key
    return keys


class StaticKeySource:
    """A fixed set of keys: identity verifies its own tokens with it, and tests use it."""

    def __init__(self, keys: Mapping[str, PublicKey]) -> None:
        self._keys = dict(keys)

    async def key(self, kid: str) -> PublicKey:
        try:
            return self._keys[kid]
        except KeyError:
            raise UnknownKey(kid) from None


class JwksKeySource:
    """identity's keys from its JWKS ``url``, cached.

    - a known ``kid`` is answered from memory; after ``ttl`` seconds the document is fetched
      again in the background (the request does not wait for it);
    - an unknown ``kid`` fetches the document at once, but at most once per
      ``min_refresh_interval`` seconds, however many requests ask;
    - a failed fetch keeps the keys we have: identity being down must not log everyone out.
    """

    def __init__(self, url: str, *, client: httpx.AsyncClient | None = None,
                 min_refresh_interval: float = 5.0, ttl: float = 300,
                 timeout: float = 2.0) -> None:
        self.url = url
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._owns_client = client is None
        self._min_interval = min_refresh_interval
        self._ttl = ttl
        self._keys: dict[str, PublicKey] = {}
        self._fetched_at = float("-inf")  # monotonic time of the last successful fetch
        self._attempted_at = float("-inf")  # of the last attempt, successful or not
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[bool] | None = None
        self.fetches = 0  # attempts made, for tests and metrics

    async def key(self, kid: str) -> PublicKey:
        key = self._keys.get(kid)
        if key is not None:
            if time.monotonic() - self._fetched_at > self._ttl:
                self._refresh_in_background()
            return key
        await self.refresh()
        try:
            return self._keys[kid]
        except KeyError:
            raise UnknownKey(kid) from None

    async def refresh(self, *, force: bool = False) -> bool:
        """Fetch the document unless one was attempted less than ``min_refresh_interval`` ago
        (``force`` skips that check); True when this call fetched it successfully."""
        attempted = self._attempted_at
        async with self._lock:
            if self._attempted_at != attempted and not force:
                return False  # someone fetched while we waited for the lock: use theirs
            if not force and time.monotonic() - self._attempted_at < self._min_interval:
                return False
            self._attempted_at = time.monotonic()
            self.fetches += 1
            try:
                response = await self._client.get(self.url)
                response.raise_for_status()
                keys = parse_jwks(response.json())
            except (httpx.HTTPError, ValueError) as err:
                log.warning("cannot fetch the JWKS from %s, keeping %d cached keys: %s",
                            self.url, len(self._keys), err)
                return False
            if not keys:
                log.warning("the JWKS at %s holds no Ed25519 keys; keeping the cached ones",
                            self.url)
                return False
            self._keys = keys  # keys identity no longer publishes stop working
            self._fetched_at = time.monotonic()
            return True

    def _refresh_in_background(self) -> None:
        if self._background is None or self._background.done():
            self._background = asyncio.get_running_loop().create_task(self.refresh())

    @property
    def kids(self) -> frozenset[str]:
        """The key ids known now."""
        return frozenset(self._keys)

    async def aclose(self) -> None:
        """Stop a background refresh and close the HTTP client if this source made it."""
        if self._background is not None:
            self._background.cancel()
            with contextlib.suppress(BaseException):
                await self._background
        if self._owns_client:
            await self._client.aclose()
