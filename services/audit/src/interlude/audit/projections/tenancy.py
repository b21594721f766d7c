"""Row-level security: every transaction on the trail names the one organisation it is for.

Migration 0002's policies show a transaction only the rows whose ``tenant_id`` is its
``interlude.tenant`` setting, and let it insert no others; with the setting unset it sees
nothing. The setting is local to the transaction, so a pooled connection never carries one
organisation's scope into the next piece of work.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg


async def act_for(conn: asyncpg.Connection, tenant_id: str) -> None:
    """Scope the rest of ``conn``'s current transaction to ``tenant_id``."""
    await conn.execute("SELECT set_config('interlude.tenant', $1, true)", tenant_id)


@contextlib.asynccontextmanager
async def tenant_transaction(pool: asyncpg.Pool, tenant_id: str, *,
                             readonly: bool = False) -> AsyncIterator[asyncpg.Connection]:
    """A transaction that sees and writes ``tenant_id``'s rows only; ``readonly`` reads one
    consistent snapshot."""
    isolation = "repeatable_read" if readonly else "read_committed"
    async with pool.acquire() as conn, conn.transaction(isolation=isolation, readonly=readonly):
        await act_for(conn, tenant_id)
        yield conn
