"""An organisation admin's webhook endpoints: register (the secret is answered once, then only
kept sealed), change, rotate the secret with a grace period, remove; the dead-letter list and
its replay. Only while the organisation's ``notify.channels`` includes ``webhook``."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from interlude.notify.adapters import due_work
from interlude.notify.app.outbound import Outbound
from interlude.notify.domain import webhook_events as wev
from interlude.notify.domain import webhooks as domain
from interlude.notify.projections import webhooks as view
from interlude.notify.projections.outbox import WEBHOOK
from interlude.shared.errors import Invalid, NotFound
from interlude.shared.events.envelope import CommandContext
from interlude.shared.kit import Written
from interlude.shared.sealing import Secret

KEY = "notify.channels"


async def enforce(deps: Outbound, ctx: CommandContext, action: str, resource_id: str) -> None:
    """403 naming ``notify.channels`` (and a denial for the audit trail) unless the
    organisation's channels include webhooks."""
    current = deps.policy.policy(ctx.tenant_id)
    allowed = [current.notify_channels] if current is not None and \
        WEBHOOK in current.notify_channels else []
    await deps.policy.enforce_choice(ctx.tenant_id, KEY, allowed, actor=ctx.actor,
                                     action=action, resource_type="webhook",
                                     resource_id=resource_id)


def new_secret(deps: Outbound, ctx: CommandContext, purpose: str, key: str | None) -> str:
    """A fresh signing secret; for a request retried with its Idempotency-Key the same one
    again, so the answer to the retry shows the secret that was stored."""
    raw = secrets.token_bytes(32) if not key else bytes.fromhex(
        deps.derive("webhook-secret", purpose, ctx.tenant_id, ctx.actor.id, key, length=64))
    return "whsec_" + base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True)
class Created:
    written: Written
    secret: str


def _reachable(deps: Outbound, url: str | None) -> None:
    host = urlsplit(url).hostname if url else None
    if host and not deps.settings.webhook_private_addresses and not domain.public_host(host):
        raise Invalid("a webhook URL must reach a public address, not this machine or a private"
                      " network (INTERLUDE_WEBHOOK_PRIVATE_ADDRESSES allows it in a lab)",
                      field="url")


async def register(deps: Outbound, ctx: CommandContext, url: str, kinds: list[str],
                   key: str | None) -> Created:
    _reachable(deps, url)
    endpoint_id = deps.new_id(ctx, "webhook", key)
    await enforce(deps, ctx, "register", endpoint_id)
    secret = new_secret(deps, ctx, "register", key)
    result = await deps.webhooks.execute_position(
        ctx.tenant_id, endpoint_id,
        lambda s: domain.register(s, endpoint_id, url, kinds, Secret(secret, endpoint_id)), ctx,
        key)
    return Created(Written(endpoint_id, result), secret)


async def change(deps: Outbound, ctx: CommandContext, endpoint_id: str, url: str | None,
                 kinds: list[str] | None) -> Written:
    _reachable(deps, url)
    await enforce(deps, ctx, "change", endpoint_id)
    position = await deps.webhooks.execute_position(
        ctx.tenant_id, endpoint_id, lambda s: domain.change(s, endpoint_id, url, kinds), ctx)
    return Written(endpoint_id, position)


async def rotate(deps: Outbound, ctx: CommandContext, endpoint_id: str,
                 key: str | None) -> tuple[Created, datetime]:
    """A new secret; the previous one stays valid for the grace period."""
    await enforce(deps, ctx, "rotate", endpoint_id)
    secret = new_secret(deps, ctx, "rotate:" + endpoint_id, key)
    until = ctx.now + timedelta(hours=deps.settings.webhook_rotation_grace_hours)
    position = await deps.webhooks.execute_position(
        ctx.tenant_id, endpoint_id,
        lambda s: domain.rotate(s, endpoint_id, Secret(secret, endpoint_id), until), ctx, key)
    return Created(Written(endpoint_id, position), secret), until


async def remove(deps: Outbound, ctx: CommandContext, endpoint_id: str) -> Written:
    state = (await deps.webhooks.load(ctx.tenant_id, endpoint_id)).state
    domain.require(state)
    position = await deps.webhooks.execute_position(
        ctx.tenant_id, endpoint_id, lambda s: domain.remove(s, endpoint_id), ctx)
    return Written(endpoint_id, position)


async def listed(deps: Outbound, ctx: CommandContext) -> list[dict[str, Any]]:
    return await view.endpoints(deps.pool, ctx.tenant_id)


async def one(deps: Outbound, ctx: CommandContext, endpoint_id: str) -> dict[str, Any]:
    row = await view.endpoint(deps.pool, ctx.tenant_id, endpoint_id)
    if row is None or row["removed"]:
        raise NotFound("no such webhook endpoint in your organisation")
    return row


async def dead_letters(deps: Outbound, ctx: CommandContext, limit: int,
                       before: datetime | None) -> list[dict[str, Any]]:
    return await view.dead_letters(deps.pool, ctx.tenant_id, limit, before)


async def replay(deps: Outbound, ctx: CommandContext, delivery_id: str) -> Written:
    """Send a dead-lettered delivery again, with a fresh round of retries."""
    await enforce(deps, ctx, "replay", delivery_id)
    row = await view.delivery(deps.pool, ctx.tenant_id, delivery_id)
    if row is None:
        raise NotFound("no such webhook delivery in your organisation")
    domain.replayable(row["status"])
    round_ = row["replays"] + 1
    event = wev.WebhookDeliveryReplayed(endpoint_id=row["endpoint_id"],
                                        notification_id=row["notification_id"])
    envelope = await deps.codec.encode(event, ctx, delivery_id)
    result = await deps.store.append(
        deps.stream.subject(ctx.tenant_id, "webhook_delivery", delivery_id), [envelope],
        expected_last_seq=None, idempotency_key=f"{delivery_id}:replay:{round_}")
    async with deps.pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "UPDATE webhook_deliveries SET status = 'pending', replays = $3, updated_at = $4"
            " WHERE tenant_id = $1 AND delivery_id = $2 AND status = 'dead'",
            ctx.tenant_id, delivery_id, round_, ctx.now)
        await due_work.schedule(conn, work_id=f"webhook:{delivery_id}:{round_}",
                                tenant_id=ctx.tenant_id, kind=WEBHOOK, due_at=ctx.now,
                                payload={"delivery_id": delivery_id})
    return Written(delivery_id, result.position)
