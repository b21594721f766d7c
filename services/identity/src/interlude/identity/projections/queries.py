"""Reads of the directory; names and addresses come back opened for the allowed reader."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from interlude.identity.projections.people_data import Opener

COLUMNS = ("user_id AS id, email, display_name, roles, status, source, mfa, created_at,"
           " updated_at")


async def users(conn: asyncpg.Connection, opener: Opener, tenant_id: str, status: str | None,
                limit: int, offset: int, after: tuple[datetime, str] | None = None
                ) -> tuple[list[dict[str, Any]], int]:
    """A page in the order people joined, from ``after`` (a keyset cursor: the last person's
    ``created_at`` and id) or ``offset``; and how many there are (kept by the directory)."""
    where = "tenant_id = $1" + (" AND status = $2" if status else "")
    args: list[Any] = [tenant_id] + ([status] if status else [])
    total = await conn.fetchval(f"SELECT coalesce(sum(people), 0) FROM directory_counts"
                                f" WHERE {where}", *args)
    if after is not None:
        args += list(after)
        where += f" AND (created_at, user_id) > (${len(args) - 1}, ${len(args)})"
    rows = await conn.fetch(
        f"SELECT {COLUMNS} FROM directory_users WHERE {where} ORDER BY created_at, user_id"
        f" LIMIT {int(limit)} OFFSET {int(offset)}", *args)
    return [await opener.row(tenant_id, dict(r)) for r in rows], int(total)


async def user(conn: asyncpg.Connection, opener: Opener, tenant_id: str,
               user_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {COLUMNS} FROM directory_users WHERE tenant_id = $1"
                              " AND user_id = $2", tenant_id, user_id)
    return await opener.row(tenant_id, dict(row)) if row else None


async def named(conn: asyncpg.Connection, opener: Opener, tenant_id: str, role: str,
                limit: int) -> list[dict[str, Any]]:
    """The active people holding ``role``: their ids and names, nothing more."""
    rows = await conn.fetch(
        "SELECT user_id AS id, display_name FROM directory_users WHERE tenant_id = $1"
        " AND status = 'active' AND $2 = ANY(roles) ORDER BY created_at, user_id"
        f" LIMIT {int(limit)}", tenant_id, role)
    return [await opener.row(tenant_id, dict(r)) for r in rows]
