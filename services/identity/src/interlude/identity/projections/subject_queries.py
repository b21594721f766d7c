"""identity's reads for a person's export (subject access): their directory entry (opened for
them), their groups, and their sign-in sessions (times only: never a token or its digest)."""

from __future__ import annotations

from typing import Any

import asyncpg

from interlude.identity.projections.people_data import Opener
from interlude.identity.projections.queries import COLUMNS


async def of_person(pool: asyncpg.Pool, opener: Opener, tenant_id: str,
                    user_id: str) -> dict[str, Any]:
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                       readonly=True):
        entry = await conn.fetchrow(f"SELECT {COLUMNS} FROM directory_users"
                                    " WHERE tenant_id = $1 AND user_id = $2", tenant_id, user_id)
        organisation = await conn.fetchval("SELECT name FROM directory_organisations"
                                           " WHERE tenant_id = $1", tenant_id)
        groups = await conn.fetch("SELECT display_name FROM directory_groups WHERE tenant_id = $1"
                                  " AND $2 = ANY(members) ORDER BY display_name",
                                  tenant_id, user_id)
        sessions = await conn.fetch(
            "SELECT family_id, min(issued_at) AS signed_in_at, max(issued_at) AS last_refreshed,"
            " max(expires_at) AS expires_at, max(revoked_at) AS ended_at, min(amr) AS methods"
            " FROM refresh_tokens WHERE tenant_id = $1 AND user_id = $2"
            " GROUP BY family_id ORDER BY signed_in_at", tenant_id, user_id)
    return {
        "account": await opener.row(tenant_id, dict(entry)) if entry else None,
        "organisation": organisation,
        "groups": [r["display_name"] for r in groups],
        "sessions": [{k: v for k, v in dict(r).items() if k != "family_id"} for r in sessions]}
