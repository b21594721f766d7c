"""notify's outbound side in a journey: a real SMTP server (the stack's mail sink) on a free port
and notify's senders running against it, with a clock the test may move forward (quiet hours
end without waiting for them)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller

from interlude.notify import outbound
from interlude.notify.adapters.smtp import SmtpMailer
from interlude.notify.adapters.webhook_http import HttpPoster
from interlude.notify.app.outbound import Outbound
from interlude.notify.testing import RunningNotify
from interlude.shared.stack.mail import Sink, start
from interlude.shared.stack.ports import free_port
from interlude.shared.testing.eventually import eventually


@dataclasses.dataclass
class Mail:
    sink: Sink
    deps: Outbound
    port: int
    client: httpx.AsyncClient
    ahead: timedelta = timedelta(0)  # how far the senders' clock runs ahead of the wall's
    controller: Controller | None = None
    senders: asyncio.Task[None] | None = None

    def smtp_up(self) -> None:
        self.controller = start(self.sink, "127.0.0.1", self.port)

    def smtp_down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def start_sending(self) -> None:
        self.senders = asyncio.create_task(outbound.send(
            self.deps, SmtpMailer("127.0.0.1", self.port, timeout=5),
            HttpPoster(self.client, private_addresses=True)))

    async def stop_sending(self) -> None:
        """Cancel the senders wherever they are, as a killed worker would stop."""
        if self.senders is not None:
            self.senders.cancel()
            await asyncio.gather(self.senders, return_exceptions=True)
            self.senders = None

    def messages(self, to: str | None = None, about: str = "") -> list[EmailMessage]:
        """What the sink got (to ``to``, whose subject holds ``about``), in arrival order."""
        found = [message_from_bytes(p.read_bytes(), policy=policy.default)
                 for p in self.sink.messages()]
        return [m for m in found if (to is None or m["To"] == to)  # type: ignore[misc]
                and about in str(m["Subject"])]  # type: ignore[misc]

    def carrying(self, notification_id: str) -> list[EmailMessage]:
        """The messages that carry the notification (one, when all is well)."""
        return [m for m in self.messages() if notification_id in
                {n.strip() for n in str(m["X-Interlude-Notifications"]).split(",")}]

    async def carried(self, *notification_ids: str) -> list[EmailMessage]:
        """Once every one of the notifications went out: the messages that carry them."""
        await eventually(lambda: all(self.carrying(n) for n in notification_ids), timeout=20,
                         interval=0.1, what="the notifications e-mailed")
        return [m for n in notification_ids for m in self.carrying(n)]

    async def arrived(self, to: str, about: str = "", count: int = 1) -> list[EmailMessage]:
        await eventually(lambda: len(self.messages(to, about)) >= count, timeout=20,
                         interval=0.1, what=f"{count} e-mail(s) about {about!r} to {to}")
        return self.messages(to, about)


@contextlib.asynccontextmanager
async def sending(notify: RunningNotify) -> AsyncIterator[Mail]:
    """Mail sent by ``notify`` lands in a sink of this test; unsubscribe links point at the
    test's client of notify's API."""
    port = free_port()
    sink = Sink(Path(tempfile.mkdtemp(prefix="notify-journey-mail-")))
    base: Outbound = notify.app.state.outbound
    settings = base.settings.model_copy(update={
        "smtp_port": port, "api_url": str(notify.client.base_url).rstrip("/"),
        "outbound_poll_seconds": 0.05})
    async with httpx.AsyncClient(timeout=5) as client:
        mail = Mail(sink, base, port, client)
        mail.deps = dataclasses.replace(base, settings=settings,
                                        clock=lambda: datetime.now(UTC) + mail.ahead)
        mail.smtp_up()
        mail.start_sending()
        try:
            yield mail
        finally:
            await mail.stop_sending()
            mail.smtp_down()
