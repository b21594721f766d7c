"""Recording who was told what: each notification the reactions stored in the ledger
(``queued``, :mod:`.telling`) is appended to notify's stream as ``NotificationQueued`` on its
own aggregate (created at expected sequence 0, its id as message id), then marked recorded.

The ledger row commits with the cause's checkpoint and the inbox row, so a crash before the
append loses nothing (the row waits, unrecorded) and one between the append and the mark
records nothing twice (the aggregate is there: a duplicate or a conflict, both "recorded").
The stream is what the delivery side (e-mail, webhooks) and the audit trail follow. Content is
opened only to be sealed again, under the same person's key, into the event; an erased cause
copies nothing, and a person forgotten meanwhile is recorded as told nothing.

A worker records in the background, woken on commit (``pg_notify``); a read of a notification
not yet recorded records it first (:func:`record` with its id), so its aggregate exists."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from collections.abc import Sequence
from typing import Any

import asyncpg

from interlude.notify.app.deps import Notify
from interlude.notify.domain.events import NotificationQueued, QuietHours
from interlude.shared.events.envelope import Actor
from interlude.shared.eventstore.repository import Created
from interlude.shared.sealing import Secret

log = logging.getLogger(__name__)
CHANNEL = "notify_queued"  # announced on commit of new ledger rows
BATCH = 500
SYSTEM = Actor.system("notify")
COLUMNS = ("tenant_id, notification_id, recipient_id, kind, cause_id, cause_type, occurred_at,"
           " correlation_id, actor_id, actor_pseudonym, contract_id, space_id, item_id, link,"
           " topic, excerpt, quiet_hours")


async def record(deps: Notify, tenant_id: str | None = None, ids: Sequence[str] = ()) -> int:
    """Record the oldest unrecorded batch, or (with ``tenant_id``) the notifications ``ids``
    if they are unrecorded; answers how many were appended. Rows stay locked until marked, so
    two recorders never append the same one at once."""
    async with deps.pool.acquire() as conn, conn.transaction():
        if tenant_id is None:
            rows = await conn.fetch(
                f"SELECT {COLUMNS} FROM queued WHERE NOT recorded ORDER BY number LIMIT $1"
                " FOR UPDATE SKIP LOCKED", BATCH)
        else:
            rows = await conn.fetch(
                f"SELECT {COLUMNS} FROM queued WHERE tenant_id = $1 AND NOT recorded"
                " AND notification_id = ANY($2::text[]) FOR UPDATE", tenant_id, list(ids))
        if not rows:
            return 0
        forgotten = {(r["tenant_id"], r["user_id"]) for r in await conn.fetch(
            "SELECT tenant_id, user_id FROM people JOIN unnest($1::text[], $2::text[])"
            " AS w(tenant_id, user_id) USING (tenant_id, user_id) WHERE status = 'forgotten'",
            [r["tenant_id"] for r in rows], [r["recipient_id"] for r in rows])}
        created = [await _created(deps, r) for r in rows
                   if (r["tenant_id"], r["recipient_id"]) not in forgotten]
        if created:  # a conflict is a notification recorded before the crash: fine
            await deps.notifications.create_many(created)
        await conn.execute(
            "UPDATE queued q SET recorded = true FROM unnest($1::text[], $2::text[]) AS w(t, n)"
            " WHERE q.tenant_id = w.t AND q.notification_id = w.n",
            [r["tenant_id"] for r in rows], [r["notification_id"] for r in rows])
    return len(rows)


async def _created(deps: Notify, row: asyncpg.Record) -> Created:
    tenant, nid = row["tenant_id"], row["notification_id"]
    ctx = deps.context(tenant, SYSTEM, causation_id=row["cause_id"], now=row["occurred_at"])
    if row["correlation_id"]:
        ctx = dataclasses.replace(ctx, correlation_id=row["correlation_id"])
    hours = row["quiet_hours"]
    queued = NotificationQueued(
        recipient_id=row["recipient_id"], kind=row["kind"], cause_id=row["cause_id"],
        cause_type=row["cause_type"], occurred_at=row["occurred_at"],
        actor_id=row["actor_id"], actor_pseudonym=row["actor_pseudonym"],
        contract_id=row["contract_id"], space_id=row["space_id"], item_id=row["item_id"],
        link=row["link"], topic=await _copy(deps, tenant, row["topic"]),
        excerpt=await _copy(deps, tenant, row["excerpt"]),
        quiet_hours=QuietHours.model_validate_json(hours) if hours else None)
    return Created(tenant, nid, [queued], ctx, idempotency_key=nid)


async def _copy(deps: Notify, tenant_id: str, stored: str | dict[str, Any] | None
                ) -> Secret | None:
    """The cause's content opened, to be sealed again into the event; None once erased."""
    if stored is None:
        return None
    value = json.loads(stored) if isinstance(stored, str) else stored
    opened = await deps.sealer.open(value["sealed"], tenant=tenant_id,
                                    event_id=value["event_id"], field=value["field"])
    return None if opened.is_erased else opened


class Recorder:
    """The worker's loop over :func:`record`: woken when reactions commit new notifications,
    and every ``poll`` seconds besides (a lost announcement, a failed append)."""

    def __init__(self, deps: Notify, poll: float = 1.0) -> None:
        self.deps = deps
        self._poll = poll
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notify recorder")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def _woken(self, *_: Any) -> None:
        self._wake.set()

    async def _run(self) -> None:
        conn: asyncpg.Connection | None = None
        try:
            while True:
                try:
                    if conn is None or conn.is_closed():
                        conn = await self.deps.pool.acquire()
                        await conn.add_listener(CHANNEL, self._woken)
                    self._wake.clear()
                    while await record(self.deps) > 0:
                        pass
                except Exception as err:  # PostgreSQL or NATS away: the rows wait, unrecorded
                    log.warning("recording failing, retrying: %s: %s", type(err).__name__, err)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll):
                        await self._wake.wait()
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.remove_listener(CHANNEL, self._woken)
                    await self.deps.pool.release(conn)
