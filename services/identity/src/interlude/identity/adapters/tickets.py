"""One-time tickets with a purpose, a tenant and a little data, stored as hashes: a second
factor's enrolment before the first sign-in, and a single sign-on round trip."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from interlude.identity.adapters.digests import new_secret, sha256


class Tickets:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def issue(self, purpose: str, tenant_id: str, data: dict[str, Any], now: datetime,
                    ttl: timedelta, ticket: str | None = None) -> str:
        ticket = ticket or new_secret()
        await self._pool.execute(
            "INSERT INTO login_tickets (ticket_hash, purpose, tenant_id, data, expires_at)"
            " VALUES ($1, $2, $3, $4, $5)", sha256(ticket), purpose, tenant_id,
            json.dumps(data), now + ttl)
        await self._pool.execute("DELETE FROM login_tickets WHERE expires_at < $1", now)
        return ticket

    async def peek(self, purpose: str, ticket: str, now: datetime) -> tuple[str, dict] | None:
        row = await self._pool.fetchrow(
            "SELECT tenant_id, data FROM login_tickets WHERE ticket_hash = $1 AND purpose = $2"
            " AND expires_at > $3", sha256(ticket), purpose, now)
        return (row["tenant_id"], json.loads(row["data"])) if row else None

    async def take(self, purpose: str, ticket: str, now: datetime) -> tuple[str, dict] | None:
        """The ticket's (tenant, data), deleting it: a ticket works once."""
        row = await self._pool.fetchrow(
            "DELETE FROM login_tickets WHERE ticket_hash = $1 AND purpose = $2"
            " AND expires_at > $3 RETURNING tenant_id, data", sha256(ticket), purpose, now)
        return (row["tenant_id"], json.loads(row["data"])) if row else None
