"""audit's table of people's exports (migration 0005): stored, read back by whoever asked,
removed when they expire. Each transaction is scoped to one organisation (row-level security),
except the expiry, which goes through the owner's ``subject_exports_expire()``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from interlude.audit.projections.tenancy import tenant_transaction

_COLUMNS = ("export_id, subject_id, requester_id, reason, requested_at, expires_at, sections,"
            " missing, size_bytes")


@dataclass(frozen=True)
class StoredExport:
    export_id: str
    subject_id: str
    requester_id: str
    reason: str | None
    requested_at: datetime
    expires_at: datetime
    sections: list[str]
    missing: dict[str, str]
    size_bytes: int

    @classmethod
    def of(cls, row: asyncpg.Record) -> StoredExport:
        return cls(row["export_id"], row["subject_id"], row["requester_id"], row["reason"],
                   row["requested_at"], row["expires_at"], list(row["sections"]),
                   json.loads(row["missing"]), int(row["size_bytes"]))


async def store(pool: asyncpg.Pool, tenant_id: str, export: StoredExport,
                archive: dict[str, Any]) -> None:
    async with tenant_transaction(pool, tenant_id) as conn:
        await conn.execute(
            f"INSERT INTO subject_exports (tenant_id, {_COLUMNS}, archive)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)", tenant_id,
            export.export_id, export.subject_id, export.requester_id, export.reason,
            export.requested_at, export.expires_at, export.sections,
            json.dumps(export.missing), export.size_bytes, json.dumps(archive))


async def requested_by(pool: asyncpg.Pool, tenant_id: str, requester_id: str,
                       now: datetime) -> list[StoredExport]:
    """The exports ``requester_id`` asked for that have not expired, newest first."""
    async with tenant_transaction(pool, tenant_id, readonly=True) as conn:
        rows = await conn.fetch(f"SELECT {_COLUMNS} FROM subject_exports WHERE tenant_id = $1"
                                " AND requester_id = $2 AND expires_at > $3"
                                " ORDER BY requested_at DESC", tenant_id, requester_id, now)
    return [StoredExport.of(r) for r in rows]


async def one(pool: asyncpg.Pool, tenant_id: str, export_id: str, requester_id: str,
              now: datetime, *, with_archive: bool = False
              ) -> tuple[StoredExport, dict[str, Any] | None] | None:
    """The export, if ``requester_id`` asked for it and it has not expired."""
    extra = ", archive" if with_archive else ""
    async with tenant_transaction(pool, tenant_id, readonly=True) as conn:
        row = await conn.fetchrow(f"SELECT {_COLUMNS}{extra} FROM subject_exports"
                                  " WHERE tenant_id = $1 AND export_id = $2"
                                  " AND requester_id = $3 AND expires_at > $4",
                                  tenant_id, export_id, requester_id, now)
    if row is None:
        return None
    return StoredExport.of(row), json.loads(row["archive"]) if with_archive else None


async def expire(pool: asyncpg.Pool, now: datetime) -> dict[str, int]:
    """Remove every organisation's expired exports; how many went, by organisation."""
    rows = await pool.fetch("SELECT tenant_id, removed FROM subject_exports_expire($1)", now)
    return {r["tenant_id"]: int(r["removed"]) for r in rows}
