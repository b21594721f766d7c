"""The organisations' webhook endpoints (from the ``Webhook*`` events) and the queries over
endpoints and deliveries. Secrets stay sealed here; the sender opens them to sign."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import asyncpg

from interlude.notify.domain import webhook_events as wev
from interlude.notify.domain.events import registry
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.sealed import kept

ENDPOINT_COLUMNS = "endpoint_id, url, kinds, created_at"
DELIVERY_COLUMNS = ("delivery_id, endpoint_id, notification_id, kind, status, attempts, replays,"
                    " last_reason, created_at, updated_at")


class WebhookEndpoints(Projection):
    name = "notify-webhook-endpoints"
    tables = ("webhook_endpoints",)
    reads = (registry,)
    handles = ("notify.WebhookEndpointRegistered", "notify.WebhookEndpointChanged",
               "notify.WebhookSecretRotated", "notify.WebhookEndpointRemoved")

    async def on_webhook_endpoint_registered(self, conn: asyncpg.Connection,
                                             event: RecordedEvent) -> None:
        e = event.of(wev.WebhookEndpointRegistered)
        secrets = [{"secret": json.loads(kept(e.secret) or "null"), "valid_until": None}]
        await conn.execute(
            "INSERT INTO webhook_endpoints (tenant_id, endpoint_id, url, kinds, secrets,"
            " created_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT DO NOTHING",
            event.tenant_id, e.endpoint_id, e.url, list(e.kinds), json.dumps(secrets),
            event.envelope.occurred_at)

    async def on_webhook_endpoint_changed(self, conn: asyncpg.Connection,
                                          event: RecordedEvent) -> None:
        e = event.of(wev.WebhookEndpointChanged)
        await conn.execute("UPDATE webhook_endpoints SET url = $3, kinds = $4"
                           " WHERE tenant_id = $1 AND endpoint_id = $2", event.tenant_id,
                           e.endpoint_id, e.url, list(e.kinds))

    async def on_webhook_secret_rotated(self, conn: asyncpg.Connection,
                                        event: RecordedEvent) -> None:
        e = event.of(wev.WebhookSecretRotated)
        current = await conn.fetchval("SELECT secrets FROM webhook_endpoints WHERE tenant_id = $1"
                                      " AND endpoint_id = $2", event.tenant_id, e.endpoint_id)
        if current is None:
            return
        at = event.envelope.occurred_at
        kept_before = [
            {**s, "valid_until": s["valid_until"] or e.previous_valid_until.isoformat()}
            for s in json.loads(current)
            if s["valid_until"] is None or datetime.fromisoformat(s["valid_until"]) > at]
        secrets = [{"secret": json.loads(kept(e.secret) or "null"), "valid_until": None},
                   *kept_before]
        await conn.execute("UPDATE webhook_endpoints SET secrets = $3::jsonb WHERE tenant_id = $1"
                           " AND endpoint_id = $2", event.tenant_id, e.endpoint_id,
                           json.dumps(secrets))

    async def on_webhook_endpoint_removed(self, conn: asyncpg.Connection,
                                          event: RecordedEvent) -> None:
        e = event.of(wev.WebhookEndpointRemoved)
        await conn.execute("UPDATE webhook_endpoints SET removed = true WHERE tenant_id = $1"
                           " AND endpoint_id = $2", event.tenant_id, e.endpoint_id)


async def subscriptions(conn: asyncpg.Connection, tenant_ids: list[str]
                        ) -> dict[tuple[str, str], list[str]]:
    """Per (organisation, kind), the endpoints subscribed to it (in the order of their ids)."""
    found: dict[tuple[str, str], list[str]] = {}
    for row in await conn.fetch(
            "SELECT tenant_id, endpoint_id, kinds FROM webhook_endpoints"
            " WHERE tenant_id = ANY($1) AND NOT removed ORDER BY endpoint_id", tenant_ids):
        for kind in row["kinds"]:
            found.setdefault((row["tenant_id"], kind), []).append(row["endpoint_id"])
    return found


async def endpoints(pool: asyncpg.Pool, tenant_id: str) -> list[dict[str, Any]]:
    return [dict(r) for r in await pool.fetch(
        f"SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 AND NOT removed"
        " ORDER BY created_at, endpoint_id", tenant_id)]


async def endpoint(pool: asyncpg.Pool | asyncpg.Connection, tenant_id: str,
                   endpoint_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        f"SELECT {ENDPOINT_COLUMNS}, secrets, removed FROM webhook_endpoints"
        " WHERE tenant_id = $1 AND endpoint_id = $2", tenant_id, endpoint_id)
    return None if row is None else dict(row)


async def delivery(pool: asyncpg.Pool | asyncpg.Connection, tenant_id: str,
                   delivery_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(f"SELECT {DELIVERY_COLUMNS}, detail FROM webhook_deliveries"
                              " WHERE tenant_id = $1 AND delivery_id = $2", tenant_id, delivery_id)
    return None if row is None else dict(row)


async def dead_letters(pool: asyncpg.Pool, tenant_id: str, limit: int,
                       before: datetime | None) -> list[dict[str, Any]]:
    return [dict(r) for r in await pool.fetch(
        f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE tenant_id = $1"
        " AND status = 'dead' AND ($2::timestamptz IS NULL OR updated_at < $2)"
        " ORDER BY updated_at DESC, delivery_id LIMIT $3", tenant_id, before, limit)]
