"""The Ed25519 keys that sign access tokens, kept in PostgreSQL (private halves encrypted with
a key derived from the master secret) so every identity replica signs with the same key.

Rotation adds a new key and retires the current one; a retired key stays in the JWKS until
every token it signed has expired, so rotation never logs anyone out.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from interlude.identity.adapters.digests import derive_key
from interlude.shared.auth import UnknownKey
from interlude.shared.ids import new_id


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey
    public: Ed25519PublicKey
    created_at: datetime
    retired_at: datetime | None

    def jwk(self) -> dict[str, str]:
        raw = self.public.public_bytes(Encoding.Raw, PublicFormat.Raw)
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": self.kid, "alg": "EdDSA",
                "use": "sig"}


class SigningKeys:
    """Loads the keys, signs with the newest, publishes the live ones."""

    def __init__(self, pool: asyncpg.Pool, master_secret: bytes, *, token_ttl: timedelta,
                 rotate_after: timedelta = timedelta(days=30), reload_every: float = 30.0) -> None:
        self._pool = pool
        self._aead = AESGCM(derive_key(master_secret, "signing keys"))
        self._token_ttl = token_ttl
        self._rotate_after = rotate_after
        self._reload_every = reload_every
        self._keys: dict[str, SigningKey] = {}
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Load the keys; create the first, or rotate one that is due."""
        await self.reload()
        current = self._current()
        if current is None or datetime.now(UTC) - current.created_at >= self._rotate_after:
            await self.rotate()

    async def reload(self) -> None:
        async with self._pool.acquire() as conn:
            rows = await conn.fetch("SELECT kid, private_key, created_at, retired_at"
                                    " FROM signing_keys")
        keys = {}
        for row in rows:
            raw = self._aead.decrypt(row["private_key"][:12], row["private_key"][12:],
                                     row["kid"].encode())
            private = Ed25519PrivateKey.from_private_bytes(raw)
            keys[row["kid"]] = SigningKey(row["kid"], private, private.public_key(),
                                          row["created_at"], row["retired_at"])
        self._keys = keys
        self._loaded_at = time.monotonic()

    async def rotate(self) -> str:
        """A new signing key from now on; the previous one is retired (still published)."""
        private = Ed25519PrivateKey.generate()
        kid = new_id()[:16]
        raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, raw, kid.encode())
        jwk = SigningKey(kid, private, private.public_key(), datetime.now(UTC), None).jwk()
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(7231101)")
            await conn.execute("UPDATE signing_keys SET retired_at = now()"
                               " WHERE retired_at IS NULL")
            await conn.execute("INSERT INTO signing_keys (kid, private_key, public_jwk)"
                               " VALUES ($1, $2, $3)", kid, sealed, json.dumps(jwk))
        await self.reload()
        return kid

    async def _fresh(self) -> None:
        if time.monotonic() - self._loaded_at > self._reload_every:
            async with self._lock:
                if time.monotonic() - self._loaded_at > self._reload_every:
                    await self.reload()

    def _current(self) -> SigningKey | None:
        live = [k for k in self._keys.values() if k.retired_at is None]
        return max(live, key=lambda k: k.created_at) if live else None

    async def current(self) -> SigningKey:
        await self._fresh()
        key = self._current()
        if key is None:
            raise RuntimeError("no signing key: SigningKeys.start() was not called")
        return key

    async def public_key(self, kid: str) -> Ed25519PublicKey | None:
        """For verifying our own tokens: a published key by id (reloading once if unknown)."""
        if kid not in self._keys:
            await self.reload()
        key = self._keys.get(kid)
        return key.public if key is not None and self._published(key) else None

    def _published(self, key: SigningKey) -> bool:
        return key.retired_at is None or (
            datetime.now(UTC) - key.retired_at <= self._token_ttl + timedelta(minutes=1))

    async def jwks(self) -> dict[str, Any]:
        await self._fresh()
        live = sorted((k for k in self._keys.values() if self._published(k)),
                      key=lambda k: k.created_at, reverse=True)
        return {"keys": [k.jwk() for k in live]}


class OwnKeys:
    """identity verifies its own tokens from its key table, without a JWKS round trip."""

    def __init__(self, keys: SigningKeys) -> None:
        self._keys = keys

    async def key(self, kid: str) -> Ed25519PublicKey:
        found = await self._keys.public_key(kid)
        if found is None:
            raise UnknownKey(kid)
        return found
