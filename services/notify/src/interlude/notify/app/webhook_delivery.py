"""The webhook sender: posts each due delivery to its endpoint, signed with every secret still
valid, and retries with a doubling delay over hours until the endpoint answers 2xx or the
attempts run out (then the delivery is dead-lettered for the admin to replay). The message id
(``webhook-id``) is the delivery's, the same on every attempt, so a receiver drops repeats.

The payload says what kind of thing happened, to whom (an id) and when, with the references a
receiver needs to fetch it; content (topic, excerpt) only when the organisation's
``notify.email_content`` is ``full``; never a name, and in a pseudonymous space not even the
actor's id (the pseudonym stands in)."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta
from typing import Any

import httpx

from interlude.notify.adapters import due_work
from interlude.notify.adapters.due_work import DueWork
from interlude.notify.adapters.smtp import cancelled_meanwhile
from interlude.notify.adapters.webhook_http import Poster, RefusedAddress, signed_headers
from interlude.notify.app import compose
from interlude.notify.app.outbound import Outbound
from interlude.notify.domain.delivery import retry_delay
from interlude.notify.projections import webhooks as view
from interlude.notify.projections.outbox import WEBHOOK, owe
from interlude.notify.projections.policies import NotifyPolicy, notify_policy
from interlude.shared.projections.sealed import opened_or_none

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
UNKNOWN_POLICY_WAIT = timedelta(seconds=30)
REFERENCES = ("cause_id", "cause_type", "occurred_at", "contract_id", "space_id", "item_id",
              "link")


async def payload(deps: Outbound, tenant_id: str, row: dict[str, Any], policy: NotifyPolicy,
                  now: datetime) -> str:
    d = json.loads(row["detail"]) if isinstance(row["detail"], str) else row["detail"]
    data: dict[str, Any] = {"notification_id": row["notification_id"], "kind": row["kind"],
                            **{k: d.get(k) for k in REFERENCES}}
    if d.get("actor_pseudonym"):
        data["actor_pseudonym"] = d["actor_pseudonym"]
    else:
        data["actor_id"] = d.get("actor_id")
    if policy.email_content == "full" and not await compose.stays_inside(
            deps, tenant_id, row["kind"], (row.get("recipient_id"), d.get("actor_id"))):
        data["topic"] = await opened_or_none(deps.sealer, tenant_id, d.get("topic"))
        data["excerpt"] = await opened_or_none(deps.sealer, tenant_id, d.get("excerpt"))
    return json.dumps({"type": f"notification.{row['kind']}", "timestamp": now.isoformat(),
                       "data": data}, separators=(",", ":"))


async def valid_secrets(deps: Outbound, tenant_id: str, endpoint: dict[str, Any],
                        now: datetime) -> list[str]:
    opened = []
    for s in json.loads(endpoint["secrets"]):
        if s["valid_until"] is None or datetime.fromisoformat(s["valid_until"]) > now:
            value = await opened_or_none(deps.sealer, tenant_id, s["secret"])
            if value:
                opened.append(value)
    return opened


class WebhookSender:
    def __init__(self, deps: Outbound, poster: Poster) -> None:
        self.deps = deps
        self.poster = poster

    async def run_due(self, now: datetime | None = None) -> int:
        now = now or self.deps.clock()
        works = await due_work.claim(self.deps.pool, WEBHOOK, now=now, limit=20, lease=LEASE)
        await asyncio.gather(*(self.deliver(work, now) for work in works))
        return len(works)

    async def deliver(self, work: DueWork, now: datetime) -> None:
        deps, tenant = self.deps, work.tenant_id
        row = await view.delivery(deps.pool, tenant, work.payload["delivery_id"])
        if row is None or row["status"] != "pending":
            await due_work.done(deps.pool, work.work_id, now=now)
            return
        policy = await notify_policy(deps.pool, tenant)
        if policy is None:
            await due_work.again_at(deps.pool, work.work_id, now + UNKNOWN_POLICY_WAIT)
            return
        endpoint = await view.endpoint(deps.pool, tenant, row["endpoint_id"])
        if not policy.allows(WEBHOOK) or endpoint is None or endpoint["removed"]:
            await self._finish(work, row, now, "cancelled", None)
            return
        sent_at = deps.clock()  # the receiver checks the signature's time against its clock
        body = await payload(deps, tenant, row, policy, sent_at)
        headers = signed_headers(f"msg_{row['delivery_id']}", sent_at, body,
                                 await valid_secrets(deps, tenant, endpoint, now))
        try:
            status = await self.poster.post(endpoint["url"], body, headers)
            reason = None if 200 <= status < 300 else f"http {status}"
        except RefusedAddress:
            status, reason = 0, "refused: the address is not public"
            await self._finish(work, row, now, "dead", reason)  # retrying changes nothing
            return
        except httpx.HTTPError as err:
            cancelled_meanwhile()
            status, reason = 0, f"unreachable ({type(err).__name__})"
        if reason is None:
            await self._finish(work, row, now, "delivered", None, status)
        elif work.attempts >= deps.settings.webhook_max_attempts:
            await self._finish(work, row, now, "dead", reason)
        else:
            await self._finish(work, row, now, "pending", reason)

    async def _finish(self, work: DueWork, row: dict[str, Any], now: datetime, status: str,
                      reason: str | None, code: int = 0) -> None:
        deps, tenant, delivery = self.deps, work.tenant_id, row["delivery_id"]
        settings = deps.settings
        async with deps.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1,"
                " last_reason = $4, updated_at = $5 WHERE tenant_id = $1 AND delivery_id = $2",
                tenant, delivery, status, reason, now)
            if status == "pending":
                delay = retry_delay(work.attempts, settings.webhook_retry_base_seconds,
                                    settings.webhook_retry_ceiling_seconds)
                await due_work.again_at(conn, work.work_id, now + delay)
            else:
                await due_work.done(conn, work.work_id, now=now)
            ids = {"endpoint_id": row["endpoint_id"], "notification_id": row["notification_id"],
                   "attempt": work.attempts}
            if status == "delivered":
                await owe(conn, key=f"{work.work_id}:delivered", tenant_id=tenant,
                          aggregate="webhook_delivery", aggregate_id=delivery,
                          type="notify.WebhookDelivered", payload={**ids, "status_code": code},
                          now=now)
            elif reason is not None:
                await owe(conn, key=f"{work.work_id}:failed:{work.attempts}", tenant_id=tenant,
                          aggregate="webhook_delivery", aggregate_id=delivery,
                          type="notify.WebhookDeliveryFailed",
                          payload={**ids, "reason": reason, "dead": status == "dead"}, now=now)
        if reason is not None:
            log.info("webhook delivery %s attempt %d: %s", delivery, work.attempts, reason)
