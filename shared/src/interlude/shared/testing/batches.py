"""For tests of a projection that writes a batch at a time (a run of rows in one statement,
sums once per batch): its events as its runner hands them over, and the read model applied
one event at a time (a worker keeping up) beside the same applied as one batch (a rebuild).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from interlude.shared.db import quote_ident
from interlude.shared.ids import new_id
from interlude.shared.projections.base import Projection, RecordedEvent

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def sealed(subject: str) -> dict[str, Any]:
    """A sealed field as stored in an event (a projection keeps it, never opens it)."""
    return {"$sealed": 1, "sub": subject, "ct": new_id()}


class Events:
    """One stream's events, a minute apart from :data:`START`, one commit each."""

    def __init__(self, stream: str, tenant_id: str) -> None:
        self.stream, self.tenant_id = stream, tenant_id
        self.recorded: list[RecordedEvent] = []

    def add(self, event_type: str, aggregate_id: str, actor: str, /, **payload: Any
            ) -> datetime:
        """``event_type`` (its full name) by ``actor``; the time it happened."""
        at = START + timedelta(minutes=len(self.recorded))
        wire = {"event_id": new_id(), "type": event_type, "schema_version": 1,
                "tenant_id": self.tenant_id, "aggregate_id": aggregate_id,
                "occurred_at": at.isoformat(), "actor": {"id": actor, "roles": [],
                                                         "kind": "user"},
                "correlation_id": new_id(), "causation_id": None, "policy_version": None,
                "source_address": None, "payload": payload}
        subject = f"{self.stream.lower()}.{self.tenant_id}.x.{aggregate_id}"
        self.recorded.append(RecordedEvent(wire, self.stream, subject,
                                           len(self.recorded) + 1, 0))
        return at


async def rows(conn: asyncpg.Connection, tables: tuple[str, ...]) -> dict[str, list[str]]:
    """Every row of ``tables``, as text, in order."""
    return {table: [r[0] for r in await conn.fetch(
        f"SELECT t::text FROM {quote_ident(table)} t ORDER BY 1")] for table in tables}


async def one_by_one_then_at_once(conn: asyncpg.Connection, projection: Projection,
                                  events: list[RecordedEvent]
                                  ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The read model's rows after ``events`` applied one at a time, each in its own
    transaction, and after it was reset and they were applied again as one batch (left in
    place, for the test to look at)."""
    for event in events:
        async with conn.transaction():
            await projection.apply(conn, [event])
    one_by_one = await rows(conn, projection.tables)
    async with conn.transaction():
        await projection.reset(conn)
        await projection.apply(conn, events)
    return one_by_one, await rows(conn, projection.tables)
