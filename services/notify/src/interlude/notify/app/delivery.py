"""The e-mail sender: takes the e-mail timers that fell due, sends each recipient one message
with everything of theirs that is due, and records what happened.

Guarantees. The notifications of a message are fixed (``batch_id``, from the timer's id) before
it is first tried, so a retry sends the same message under the same Message-ID. A message is
marked sent, with the events it owes, in one transaction right after the server accepted it;
a crash between the two is the only way a message goes twice, and then with the same
Message-ID (receivers drop it as a duplicate). A server that is away or answers 4xx leaves the
timer for later with a doubling delay; a 5xx is final for that recipient only. The policy is
read at send time: a channel switched off since the mail was queued cancels it, and so do
a feature switched off for what it is about (messages, check-ins, community, materials) and a
recipient deactivated since."""

from __future__ import annotations

import abc
import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from email.utils import parseaddr

import asyncpg

from interlude.notify.adapters import due_work
from interlude.notify.adapters.due_work import DueWork
from interlude.notify.adapters.smtp import (
    Mailer,
    PermanentFailure,
    TemporaryFailure,
    cancelled_meanwhile,
)
from interlude.notify.app import compose
from interlude.notify.app.outbound import Outbound
from interlude.notify.domain.delivery import retry_delay
from interlude.notify.projections import addresses
from interlude.notify.projections.cancellations import cancel_email
from interlude.notify.projections.outbox import EMAIL, owe, settle, take_batch
from interlude.notify.projections.policies import notify_policy
from interlude.shared import directory
from interlude.shared.events.envelope import Actor

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
UNKNOWN_POLICY_WAIT = timedelta(seconds=30)


class MailSender(abc.ABC):
    """Takes the e-mail timers of its ``kind`` that fell due (leased) and delivers each."""

    kind: str

    def __init__(self, deps: Outbound, mailer: Mailer) -> None:
        self.deps = deps
        self.mailer = mailer

    async def run_due(self, now: datetime | None = None) -> int:
        """Send what is due by ``now``; the number of timers handled."""
        now = now or self.deps.clock()
        works = await due_work.claim(self.deps.pool, self.kind, now=now, limit=20, lease=LEASE)
        for work in works:
            await self.deliver(work, now)
        return len(works)

    @abc.abstractmethod
    async def deliver(self, work: DueWork, now: datetime) -> None: ...


class EmailSender(MailSender):
    kind = EMAIL

    async def deliver(self, work: DueWork, now: datetime) -> None:
        deps, tenant = self.deps, work.tenant_id
        recipient = work.payload["recipient_id"]
        policy = await notify_policy(deps.pool, tenant)
        if policy is None:  # not known yet: nothing may go, nothing is dropped
            await due_work.again_at(deps.pool, work.work_id, now + UNKNOWN_POLICY_WAIT)
            return
        batch_id = deps.derive("email-batch", work.work_id)
        async with deps.pool.acquire() as conn, conn.transaction():
            rows = await take_batch(conn, tenant, recipient, batch_id, now)
            if rows and await _gone(conn, tenant, recipient):
                await cancel_email(conn, tenant, [r["notification_id"] for r in rows],
                                   "deactivated", now)
                rows = []
            refused = rows if not policy.allows(EMAIL) else [
                r for r in rows if not policy.tells(r["kind"])]
            if refused:
                await cancel_email(conn, tenant, [r["notification_id"] for r in refused],
                                   "policy", now)
                rows = [r for r in rows if r not in refused]
            if not rows:
                await due_work.done(conn, work.work_id, now=now)
                return
        out = compose.Outgoing(tenant, recipient, batch_id, rows)
        address = await addresses.address(deps.pool, deps.sealer, tenant, recipient)
        last_try = work.attempts >= deps.settings.email_max_attempts
        if address is None:  # identity's event may not have reached notify yet: wait for it
            await self._settle(work, out, now, failed="no address known", final=last_try)
            return
        shown = await compose.lines(deps, out, policy.email_content)  # type: ignore[arg-type]
        message = compose.message(deps, out, shown, address)
        try:
            await self.mailer.send(message, parseaddr(deps.settings.mail_from)[1],
                                   address)
        except TemporaryFailure as err:
            await self._settle(work, out, now, failed=str(err), final=last_try)
        except PermanentFailure as err:
            await self._settle(work, out, now, failed=str(err), final=True)
        else:
            await self._settle(work, out, now)
            await self._disclosed(out, policy.email_content)

    async def _disclosed(self, out: compose.Outgoing, level: str) -> None:
        """Content went out by e-mail (levels ``subject`` and ``full``): an access event naming
        whose, as for any read of it (the inbox records its own reads)."""
        fields = {"subject": ("topic",), "full": ("topic", "excerpt")}.get(level, ())
        details = [json.loads(r["detail"]) if isinstance(r["detail"], str) else r["detail"]
                   for r in out.rows]
        owners = sorted({d[f]["sealed"]["sub"] for d in details for f in fields if d.get(f)})
        ctx = self.deps.context(out.tenant_id, Actor(out.recipient_id))
        await self.deps.record_read(ctx, "email", out.batch_id, owners)

    async def _settle(self, work: DueWork, out: compose.Outgoing, now: datetime, *,
                      failed: str | None = None, final: bool = False) -> None:
        """Record the outcome and the events it owes, in one transaction."""
        ids = [r["notification_id"] for r in out.rows]
        async with self.deps.pool.acquire() as conn, conn.transaction():
            if failed is None or final:
                settled = await settle(conn, out.tenant_id, ids,
                                       "sent" if failed is None else "failed")
                await due_work.done(conn, work.work_id, now=now)
                ids = [r["notification_id"] for r in settled]
            else:
                settings = self.deps.settings
                delay = retry_delay(work.attempts, settings.email_retry_base_seconds,
                                    settings.email_retry_ceiling_seconds)
                await due_work.again_at(conn, work.work_id, now + delay)
            for nid in ids:
                base = {"channel": EMAIL, "recipient_id": out.recipient_id}
                if failed is None:
                    await owe(conn, key=f"{nid}:email:delivered", tenant_id=out.tenant_id,
                              aggregate="notification", aggregate_id=nid,
                              type="notify.NotificationDelivered",
                              payload={**base, "batch_id": out.batch_id}, now=now)
                else:
                    await owe(conn, key=f"{nid}:email:failed:{work.attempts}",
                              tenant_id=out.tenant_id, aggregate="notification",
                              aggregate_id=nid, type="notify.NotificationFailed",
                              payload={**base, "attempt": work.attempts, "final": final,
                                       "reason": failed}, now=now)
        if failed is not None:
            log.info("e-mail %s not sent (attempt %d%s): %s", out.batch_id, work.attempts,
                     ", final" if final else "", failed)


async def _gone(conn: asyncpg.Connection, tenant_id: str, recipient_id: str) -> bool:
    """Whether the recipient's account is off (deactivated; a forgotten person's e-mail was
    dropped when they were forgotten): what was held for them is not sent."""
    found = await directory.person(conn, tenant_id, recipient_id)
    return found is not None and found["status"] in ("deactivated", "forgotten")


async def repeat(step: Callable[[], Awaitable[int]], poll_seconds: float) -> None:
    """Run ``step`` (a sender's round) until cancelled, pausing when it found nothing to do."""
    while True:
        handled = await step()
        cancelled_meanwhile()  # a library may have turned the cancellation into an error
        if not handled:
            await asyncio.sleep(poll_seconds)
