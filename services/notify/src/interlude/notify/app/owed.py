"""Appending the events the senders owe (``owed_events``): each with an idempotency key of its
own, so one appended just before a crash and again after it is stored once. They act as the
system, at the time the sender decided them; they carry ids, a channel and a reason, never
content or an address."""

from __future__ import annotations

import json

from interlude.notify.app.outbound import Outbound
from interlude.shared.events.envelope import Actor, CommandContext

SYSTEM = Actor.system("notify")


async def append_owed(deps: Outbound, limit: int = 200) -> int:
    """Append what is owed, oldest first; the number appended."""
    rows = await deps.pool.fetch(
        "SELECT key, tenant_id, aggregate, aggregate_id, type, payload, created_at"
        " FROM owed_events WHERE appended_at IS NULL ORDER BY created_at, key LIMIT $1", limit)
    for row in rows:
        event = deps.codec.registry.type_of(row["type"])(**json.loads(row["payload"]))
        ctx = deps.context(row["tenant_id"], SYSTEM, now=row["created_at"])
        envelope = await deps.codec.encode(event, ctx, row["aggregate_id"])
        subject = deps.stream.subject(row["tenant_id"], row["aggregate"], row["aggregate_id"])
        await deps.store.append(subject, [envelope], expected_last_seq=None,
                                idempotency_key=row["key"])
        await deps.pool.execute("UPDATE owed_events SET appended_at = now() WHERE key = $1",
                                row["key"])
    return len(rows)


__all__ = ["CommandContext", "append_owed"]
