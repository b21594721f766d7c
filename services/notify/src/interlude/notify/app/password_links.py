"""The e-mail that carries a password link (identity's ``PasswordResetIssued``): to its person
alone, at once, whatever their preferences and quiet hours, as its own message. It is no
notification: it is kept out of the inbox, webhooks and digests, and the organisation's
content level does not apply, since the link is the message. What notify keeps of it is the
link sealed, as identity sealed it (a durable timer, ``due_work`` kind ``password_link``);
it is opened only to be sent. Not sent once it has expired, once the person is no longer
active, or where the organisation sends no e-mail (``notify.channels``)."""

from __future__ import annotations

import logging
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

import asyncpg

from interlude.notify.adapters import due_work
from interlude.notify.adapters.due_work import DueWork
from interlude.notify.adapters.smtp import PermanentFailure, TemporaryFailure
from interlude.notify.app.compose import absolute
from interlude.notify.app.delivery import MailSender
from interlude.notify.domain.delivery import retry_delay
from interlude.notify.projections import addresses
from interlude.notify.projections.outbox import EMAIL
from interlude.notify.projections.policies import notify_policy
from interlude.shared import directory
from interlude.shared.events import published
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.sealed import kept, opened_or_none

log = logging.getLogger(__name__)
KIND = "password_link"
MAX_ATTEMPTS = 8  # a link lives two hours: retries past that would send a dead link


class PasswordLinks(Projection):
    name = "notify-password-links"
    tables = ()  # a rebuild sends nothing again: an expired link is not sent
    reads = (published.identity,)
    handles = ("identity.PasswordResetIssued",)

    async def on_password_reset_issued(self, conn: asyncpg.Connection,
                                       event: RecordedEvent) -> None:
        e = event.of(published.PasswordResetIssued)
        await due_work.schedule(conn, work_id=f"{KIND}:{e.reset_id}", tenant_id=event.tenant_id,
                                kind=KIND, due_at=event.envelope.occurred_at, payload={
                                    "recipient_id": e.user_id, "link": kept(e.link),
                                    "expires_at": e.expires_at.isoformat()})


class PasswordLinkSender(MailSender):
    kind = KIND

    async def deliver(self, work: DueWork, now: datetime) -> None:
        deps, tenant = self.deps, work.tenant_id
        recipient = work.payload["recipient_id"]
        if now >= datetime.fromisoformat(work.payload["expires_at"]) or \
                not await self._may_send(tenant, recipient):
            await due_work.done(deps.pool, work.work_id, now=now)
            return
        address = await addresses.address(deps.pool, deps.sealer, tenant, recipient)
        token = await opened_or_none(deps.sealer, tenant, work.payload["link"])
        if token is None:  # forgotten meanwhile
            await due_work.done(deps.pool, work.work_id, now=now)
            return
        if address is None:  # identity's event may not have reached notify yet
            await self._later(work, now, "no address known")
            return
        try:
            await self.mailer.send(self._message(work, token, address),
                                   parseaddr(deps.settings.mail_from)[1], address)
        except TemporaryFailure as err:
            await self._later(work, now, str(err))
        except PermanentFailure as err:
            log.warning("password link %s not sent: %s", work.work_id, err)
            await due_work.done(deps.pool, work.work_id, now=now)
        else:
            await due_work.done(deps.pool, work.work_id, now=now)

    async def _may_send(self, tenant_id: str, recipient_id: str) -> bool:
        person = await directory.person(self.deps.pool, tenant_id, recipient_id)
        policy = await notify_policy(self.deps.pool, tenant_id)
        return (person is not None and person["status"] == "active"
                and (policy is None or policy.allows(EMAIL)))

    async def _later(self, work: DueWork, now: datetime, why: str) -> None:
        if work.attempts >= MAX_ATTEMPTS:
            log.warning("password link %s given up: %s", work.work_id, why)
            await due_work.done(self.deps.pool, work.work_id, now=now)
            return
        settings = self.deps.settings
        await due_work.again_at(self.deps.pool, work.work_id, now + retry_delay(
            work.attempts, settings.email_retry_base_seconds,
            settings.email_retry_ceiling_seconds))

    def _message(self, work: DueWork, token: str, address: str) -> EmailMessage:
        settings = self.deps.settings
        url = absolute(settings.public_url, f"/password-reset/{token}")
        sender = parseaddr(settings.mail_from)[1]
        domain = sender.rpartition("@")[2] or "interlude.localhost"
        msg = EmailMessage()
        msg["From"] = settings.mail_from
        msg["To"] = Address(addr_spec=address)
        msg["Subject"] = "Choose a new password for Interlude"
        msg["Date"] = formatdate(usegmt=True)
        msg["Message-ID"] = f"<{work.work_id.replace(':', '-')}@{domain}>"
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(
            "Someone, most likely you, asked for a new password for your Interlude account.\n\n"
            f"Choose one here (the link works once, for two hours):\n{url}\n\n"
            "If you did not ask for it, ignore this message: your password stays as it is.\n")
        return msg
