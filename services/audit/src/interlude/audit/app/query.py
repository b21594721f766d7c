"""The compliance officer's questions to the trail: filters, newest or oldest first, a cursor,
and counts. Records come back as stored (their canonical JSON), with their number and hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg
import orjson

from interlude.audit.tenancy import tenant_transaction


@dataclass(frozen=True)
class Filters:
    actor: str | None = None
    subject: str | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    outcome: Literal["succeeded", "denied"] | None = None
    since: datetime | None = None
    until: datetime | None = None

    def where(self, tenant_id: str) -> tuple[str, list[Any]]:
        clauses: list[str] = ["tenant_id = $1"]
        args: list[Any] = [tenant_id]
        for column, value, op in (
                ("actor_id", self.actor, "="), ("data_subjects", self.subject, "@>"),
                ("action", self.action, "="), ("target_type", self.target_type, "="),
                ("target_id", self.target_id, "="), ("outcome", self.outcome, "="),
                ("occurred_at", self.since, ">="), ("occurred_at", self.until, "<")):
            if value is None:
                continue
            args.append([value] if op == "@>" else value)
            clauses.append(f"{column} {op} ${len(args)}")
        return " AND ".join(clauses), args


def render(row: asyncpg.Record) -> dict[str, Any]:
    return {"seq": row["seq"], **orjson.loads(bytes(row["record"])),
            "chain_hash": bytes(row["chain_hash"]).hex()}


async def search(pool: asyncpg.Pool, tenant_id: str, filters: Filters, *,
                 order: Literal["newest", "oldest"], cursor: int | None,
                 limit: int) -> dict[str, Any]:
    where, args = filters.where(tenant_id)
    page_where = where
    if cursor is not None:
        args_page = [*args, cursor]
        page_where += f" AND seq {'<' if order == 'newest' else '>'} ${len(args_page)}"
    else:
        args_page = list(args)
    direction = "DESC" if order == "newest" else "ASC"
    async with tenant_transaction(pool, tenant_id, readonly=True) as conn:
        rows = await conn.fetch(
            f"SELECT seq, record, chain_hash FROM audit_records WHERE {page_where}"
            f" ORDER BY seq {direction} LIMIT {int(limit) + 1}", *args_page)
        counts = await conn.fetch(f"SELECT outcome, count(*) AS n FROM audit_records"
                                  f" WHERE {where} GROUP BY outcome", *args)
    more = len(rows) > limit
    rows = rows[:limit]
    by_outcome = {r["outcome"]: int(r["n"]) for r in counts}
    return {"records": [render(r) for r in rows],
            "next_cursor": rows[-1]["seq"] if more and rows else None,
            "count": {"total": sum(by_outcome.values()), "by_outcome": by_outcome}}
