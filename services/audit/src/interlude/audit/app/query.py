"""The compliance officer's questions to the trail: filters, newest or oldest first, a cursor,
and counts. Records come back as stored (their canonical JSON), with their number and hash."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

from interlude.audit.app.audit import Audit
from interlude.audit.projections import queries
from interlude.audit.projections.queries import Filters, Order
from interlude.shared.events.envelope import CommandContext

__all__ = ["Filters", "records", "render", "search"]


def render(row: asyncpg.Record) -> dict[str, Any]:
    """A record as stored, with its number and chain hash; bytes that are not a JSON object
    (only a superuser's edit makes them so) as ``stored``, the text they hold, instead."""
    data = bytes(row["record"])
    try:
        fields = orjson.loads(data)
    except orjson.JSONDecodeError:
        fields = None
    if not isinstance(fields, dict):
        fields = {"stored": data.decode("utf-8", errors="replace")}
    return {**fields, "seq": row["seq"], "chain_hash": bytes(row["chain_hash"]).hex()}


async def search(pool: asyncpg.Pool, tenant_id: str, filters: Filters, *, order: Order,
                 cursor: int | None, limit: int) -> dict[str, Any]:
    page = await queries.search(pool, tenant_id, filters, order=order, cursor=cursor,
                                limit=limit)
    rows = page.rows
    return {"records": [render(r) for r in rows],
            "next_cursor": rows[-1]["seq"] if page.more and rows else None,
            "count": {"total": sum(page.by_outcome.values()), "by_outcome": page.by_outcome}}


async def records(audit: Audit, ctx: CommandContext, filters: Filters, *, order: Order,
                  cursor: int | None, limit: int) -> dict[str, Any]:
    """A page of the caller's organisation's records; the query itself is recorded."""
    found = await search(audit.pool, ctx.tenant_id, filters, order=order, cursor=cursor,
                         limit=limit)
    await audit.record_trail_access(ctx, "query")
    return found
