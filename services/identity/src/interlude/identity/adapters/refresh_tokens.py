"""Rotating refresh tokens in PostgreSQL. Presenting a token uses it up and yields the next one
of its family; presenting a used token again revokes the family (someone replayed it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from interlude.identity.adapters.digests import new_secret, sha256
from interlude.shared.ids import new_id


@dataclass(frozen=True)
class RefreshGrant:
    family_id: str
    tenant_id: str
    user_id: str
    amr: tuple[str, ...]


class RefreshRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RefreshTokens:
    def __init__(self, pool: asyncpg.Pool, ttl: timedelta) -> None:
        self._pool = pool
        self._ttl = ttl

    async def issue(self, tenant_id: str, user_id: str, amr: tuple[str, ...], now: datetime,
                    family_id: str | None = None) -> str:
        token = f"rt_{new_secret()}"
        await self._pool.execute(
            "INSERT INTO refresh_tokens (token_hash, family_id, tenant_id, user_id, amr,"
            " issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            sha256(token), family_id or new_id(), tenant_id, user_id, list(amr), now,
            now + self._ttl)
        return token

    async def use(self, token: str, now: datetime) -> RefreshGrant:
        """Consume ``token``; the caller issues the next one in the same family."""
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow("SELECT * FROM refresh_tokens WHERE token_hash = $1"
                                      " FOR UPDATE", sha256(token))
            refusal = self._refusal(row, now)
            if refusal is None:
                await conn.execute("UPDATE refresh_tokens SET used_at = $2"
                                   " WHERE token_hash = $1", row["token_hash"], now)
            elif row is not None and row["used_at"] is not None:
                # a replay: the revocation must commit, so it is not raised inside the transaction
                await conn.execute("UPDATE refresh_tokens SET revoked_at = $2"
                                   " WHERE family_id = $1 AND revoked_at IS NULL",
                                   row["family_id"], now)
        if refusal is not None:
            raise RefreshRefused(refusal)
        return RefreshGrant(row["family_id"], row["tenant_id"], row["user_id"], tuple(row["amr"]))

    @staticmethod
    def _refusal(row: asyncpg.Record | None, now: datetime) -> str | None:
        if row is None:
            return "this refresh token is not known; sign in again"
        if row["revoked_at"] is not None:
            return "this session was signed out; sign in again"
        if row["used_at"] is not None:
            return ("this refresh token was already used, so the session has been signed out"
                    " everywhere for safety; sign in again")
        if row["expires_at"] <= now:
            return "this session has expired; sign in again"
        return None

    async def revoke(self, token: str, now: datetime) -> None:
        """Sign out the session ``token`` belongs to (unknown tokens are ignored, RFC 7009)."""
        await self._pool.execute(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE revoked_at IS NULL AND family_id ="
            " (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)", sha256(token), now)

    async def revoke_user(self, tenant_id: str, user_id: str, now: datetime) -> None:
        await self._pool.execute(
            "UPDATE refresh_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND user_id = $2"
            " AND revoked_at IS NULL", tenant_id, user_id, now)
