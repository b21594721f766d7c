"""Intake: every service's events and the access events become chained audit records.

One runner per source stream feeds this projection. Within a batch, events are grouped by
organisation; for each (in a fixed order, so two runners never deadlock) the transaction is
scoped to it, its head row locked, the events not yet recorded get the next numbers, and
records, heads and the runner's checkpoint commit together. A redelivered event is found by its
event id and not recorded twice.
"""

from __future__ import annotations

from collections import defaultdict

import asyncpg

from interlude.audit.domain.records import audit_fields
from interlude.audit.projections.chain import append, lock_head, recorded
from interlude.audit.projections.tenancy import act_for
from interlude.shared.projections.base import Projection, RecordedEvent, Stalled


class AuditIntake(Projection):
    """The chain for one source stream (``audit-<stream>``)."""

    tables = ()  # never reset: the trail is not a rebuildable read model
    rebuildable = False  # a replay would chain every event a second time
    raw = True  # it chains what was stored, byte for byte: every type, any version, undecoded

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
        await act_for(conn, tenant)
        head = await lock_head(conn, tenant)
        seen = await recorded(conn, tenant, [e.wire["event_id"] for e in events])
        fresh = []
        for event in events:
            if event.wire["event_id"] not in seen:
                seen.add(event.wire["event_id"])
                fresh.append(audit_fields(event))
        try:
            await append(conn, tenant, head, fresh)
        except asyncpg.UniqueViolationError as error:
            # appends hold the head's lock: a number already taken means the head was moved
            # back by hand. Set aside, these events would be missing from the trail for good;
            # held, they are recorded once the head is put back (the verifier names it)
            raise Stalled(f"the audit trail of organisation {tenant} cannot take record "
                          f"{head.seq + 1}: it exists already, so the trail's head was moved "
                          f"back by hand; its events wait until the head is put back "
                          f"({error})") from error
