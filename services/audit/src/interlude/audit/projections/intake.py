"""Intake: every service's events and the access events become chained audit records.

One runner per source stream feeds this projection. Within a batch, events are grouped by
organisation; each organisation's head row is locked (in a fixed order, so two runners never
deadlock), the events not yet recorded get the next numbers, and records, head and checkpoint
commit together. A redelivered event is found by its event id and not recorded twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import asyncpg

from interlude.audit.chain.canonical import canonical_bytes
from interlude.audit.chain.hashing import GENESIS, chain_hash
from interlude.audit.records import audit_fields
from interlude.shared.projections.base import Projection, RecordedEvent

COLUMNS = ("tenant_id", "seq", "record", "chain_hash", "occurred_at", "actor_id", "action",
           "target_type", "target_id", "data_subjects", "outcome", "event_id")


class AuditIntake(Projection):
    """The chain for one source stream (``audit-<stream>``)."""

    tables = ()  # never reset: the trail is not a rebuildable read model

    def __init__(self, source: str) -> None:
        super().__init__()
        self.name = f"audit-{source}"  # type: ignore[misc]

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        by_tenant: dict[str, list[RecordedEvent]] = defaultdict(list)
        for event in events:
            by_tenant[event.tenant_id].append(event)
        for tenant in sorted(by_tenant):
            await self._append(conn, tenant, by_tenant[tenant])

    async def _append(self, conn: asyncpg.Connection, tenant: str,
                      events: list[RecordedEvent]) -> None:
        await conn.execute("INSERT INTO audit_heads (tenant_id, seq, chain_hash, anchor)"
                           " VALUES ($1, 0, $2, $2) ON CONFLICT DO NOTHING", tenant, GENESIS)
        head = await conn.fetchrow("SELECT seq, chain_hash FROM audit_heads WHERE tenant_id = $1"
                                   " FOR UPDATE", tenant)
        seen = {r["event_id"] for r in await conn.fetch(
            "SELECT event_id FROM audit_records WHERE tenant_id = $1 AND event_id = any($2)",
            tenant, [e.wire["event_id"] for e in events])}
        seq, previous = int(head["seq"]), bytes(head["chain_hash"])
        rows = []
        for event in events:
            if event.wire["event_id"] in seen:
                continue
            seen.add(event.wire["event_id"])
            seq += 1
            fields = {**audit_fields(event), "seq": seq}
            record = canonical_bytes(fields)
            previous = chain_hash(previous, record)
            rows.append((tenant, seq, record, previous, datetime.fromisoformat(fields["time"]),
                         fields["actor"]["id"], fields["action"], fields["target"]["type"],
                         fields["target"]["id"], fields["data_subjects"], fields["outcome"],
                         event.wire["event_id"]))
        if rows:
            await conn.copy_records_to_table("audit_records", records=rows, columns=COLUMNS)
            await conn.execute("UPDATE audit_heads SET seq = $2, chain_hash = $3"
                               " WHERE tenant_id = $1", tenant, seq, previous)
