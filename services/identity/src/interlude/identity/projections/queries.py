"""Reads of the directory."""

from __future__ import annotations

from typing import Any

import asyncpg

COLUMNS = ("user_id AS id, email, display_name, roles, status, source, mfa, created_at,"
           " updated_at")


async def users(conn: asyncpg.Connection, tenant_id: str, status: str | None, limit: int,
                offset: int) -> tuple[list[dict[str, Any]], int]:
    where = "tenant_id = $1" + (" AND status = $2" if status else "")
    args: list[Any] = [tenant_id] + ([status] if status else [])
    total = await conn.fetchval(f"SELECT count(*) FROM directory_users WHERE {where}", *args)
    rows = await conn.fetch(
        f"SELECT {COLUMNS} FROM directory_users WHERE {where} ORDER BY created_at, user_id"
        f" LIMIT {int(limit)} OFFSET {int(offset)}", *args)
    return [dict(r) for r in rows], int(total)


async def user(conn: asyncpg.Connection, tenant_id: str, user_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {COLUMNS} FROM directory_users WHERE tenant_id = $1"
                              " AND user_id = $2", tenant_id, user_id)
    return dict(row) if row else None
