"""notify's outbound side alone on real servers: its platform on the test's own streams and
schema, its consumers running, a real SMTP server (``aiosmtpd``, the sink ``make run`` uses)
on a free port, and identity's and notify's events published as those services publish them
(by name and field: a service's tests never import another service's code). The senders are
driven by the test with a clock of its own."""

from __future__ import annotations

import secrets
import socket
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from interlude.notify import outbound
from interlude.notify.adapters.smtp import SmtpMailer
from interlude.notify.app.delivery import EmailSender
from interlude.notify.app.outbound import Outbound
from interlude.notify.app.owed import append_owed
from interlude.notify.app.password_links import PasswordLinkSender
from interlude.notify.domain.events import NotificationQueued, QuietHours, notification_id
from interlude.notify.domain.events import registry as notify_events
from interlude.notify.projections.people import People
from interlude.notify.settings import NotifySettings
from interlude.notify.testing import notify_settings
from interlude.notify.wiring import MIGRATIONS
from interlude.shared.db import migrate
from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import Actor
from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.eventstore.base import commit_wire
from interlude.shared.ids import new_id
from interlude.shared.kit import command_context
from interlude.shared.policy.model import DEFAULT_POLICY
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, open_platform
from interlude.shared.sealing import Secret
from interlude.shared.stack.mail import Sink, start
from interlude.shared.testing.eventually import eventually
from interlude.shared.trust.cache import TrustCache
from interlude.shared.trust.projection import TrustProjection

identity = EventRegistry()  # identity's events as identity publishes them


@identity.event("identity.UserProvisioned", version=2)
class UserProvisioned(Event):
    user_id: str
    email: Secret
    email_digest: str
    display_name: Secret
    roles: tuple[str, ...]
    source: str = "registration"


@identity.event("identity.SecurityPolicyChanged")
class SecurityPolicyChanged(Event):
    version: int
    policy: dict[str, Any]


@identity.event("identity.SubjectForgotten")
class SubjectForgotten(Event):
    subject_id: str


@identity.event("identity.PasswordResetIssued")
class PasswordResetIssued(Event):
    user_id: str
    reset_id: str
    token_hash: str
    link: Secret
    expires_at: datetime


@identity.event("identity.UserDeactivated")
class UserDeactivated(Event):
    user_id: str
    reason: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class World:
    platform: Platform
    deps: Outbound
    sink: Sink
    smtp_port: int
    tenant_id: str
    trust: TrustCache
    controller: Controller | None = None
    policy_version: int = 0
    runners: list[ProjectionRunner] = field(default_factory=list)

    def sender(self) -> EmailSender:
        return EmailSender(self.deps, SmtpMailer("127.0.0.1", self.smtp_port, timeout=5))

    def link_sender(self) -> PasswordLinkSender:
        return PasswordLinkSender(self.deps, SmtpMailer("127.0.0.1", self.smtp_port, timeout=5))

    def smtp_up(self) -> None:
        self.controller = start(self.sink, "127.0.0.1", self.smtp_port)

    def smtp_down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def mails(self) -> list[EmailMessage]:
        return [message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
                for p in self.sink.messages()]

    async def _publish(self, service: str, codec: EventCodec, aggregate: str,
                       aggregate_id: str, event: Event, actor: Actor,
                       at: datetime | None = None) -> int:
        ctx = command_context(self.tenant_id, actor, at or datetime.now(UTC))
        envelope = await codec.encode(event, ctx, aggregate_id)
        store = await self.platform.event_store(service)
        subject = self.platform.stream(service).subject(self.tenant_id, aggregate, aggregate_id)
        return (await store.append(subject, [envelope], expected_last_seq=None)).position

    async def _identity(self, aggregate_id: str, event: Event) -> int:
        return await self._publish("identity", EventCodec(identity, self.platform.sealer),
                                   "user", aggregate_id, event, Actor.system("identity"))

    async def person(self, name: str, address: str, role: str = "coachee",
                     user_id: str | None = None) -> str:
        user_id = user_id or new_id()
        await self._identity(user_id, UserProvisioned(
            user_id=user_id, email=Secret(address, user_id), email_digest=new_id(),
            display_name=Secret(name, user_id), roles=(role,)))
        return user_id

    async def policy(self, **changes: Any) -> int:
        self.policy_version += 1
        wire = DEFAULT_POLICY.changed({k.replace("__", "."): v for k, v in changes.items()})
        position = await self._identity(self.tenant_id, SecurityPolicyChanged(
            version=self.policy_version, policy=wire.to_wire()))
        version = self.policy_version
        await eventually(lambda: self.trust.policy_version(self.tenant_id) == version,
                         timeout=10, what="the policy known")
        return position

    async def forget(self, user_id: str) -> int:
        return await self._identity(user_id, SubjectForgotten(subject_id=user_id))

    async def password_link(self, user_id: str, token: str,
                            expires_at: datetime | None = None) -> int:
        """identity's link for ``user_id`` to choose a new password (the token sealed)."""
        return await self._identity(user_id, PasswordResetIssued(
            user_id=user_id, reset_id=new_id(), token_hash="h", link=Secret(token, user_id),
            expires_at=expires_at or datetime.now(UTC) + timedelta(hours=2)))

    async def deactivate(self, user_id: str) -> int:
        return await self._identity(user_id, UserDeactivated(user_id=user_id, reason="left"))

    async def queue(self, recipient: str, kind: str = "coach_replied", *, actor: str | None = None,
                    pseudonym: str | None = None, topic: str | None = None,
                    excerpt: str | None = None, owner: str | None = None,
                    quiet_hours: QuietHours | None = None, at: datetime | None = None) -> str:
        """A notification as notify-core queues it; the content sealed under ``owner``'s key."""
        cause = new_id()
        nid = notification_id(cause, recipient)
        subject = owner or actor or recipient
        event = NotificationQueued(
            recipient_id=recipient, kind=kind, cause_id=cause,  # type: ignore[arg-type]
            cause_type="engagement.MessageSent", occurred_at=at or datetime.now(UTC),
            actor_id=actor, actor_pseudonym=pseudonym, link=f"/things/{cause}",
            topic=None if topic is None else Secret(topic, subject),
            excerpt=None if excerpt is None else Secret(excerpt, subject),
            quiet_hours=quiet_hours)
        await self._publish("notify", EventCodec(notify_events, self.platform.sealer),
                            "notification", nid, event, Actor.system("notify"), at)
        return nid

    async def caught_up(self) -> None:
        """Every consumer has seen every event published so far."""
        async def seen() -> bool:
            for runner in self.runners:
                info = await self.platform.js.stream_info(runner.source.name)
                if runner.position < info.state.last_seq:
                    return False
            return True

        await eventually(seen, timeout=15, what="the consumers caught up")

    async def owed(self) -> int:
        return await append_owed(self.deps)

    async def accesses(self) -> list[dict[str, Any]]:
        """The access events notify recorded for this organisation (the ACCESS stream)."""
        js, stream = self.platform.js, self.platform.stream("access")
        found = []
        for seq in range(1, (await js.stream_info(stream.name)).state.last_seq + 1):
            found += [w for w in commit_wire((await js.get_msg(stream.name, seq)).data)
                      if w["tenant_id"] == self.tenant_id]
        return found

    async def events(self, type_name: str) -> list[dict[str, Any]]:
        """notify's events of ``type_name`` for this organisation, from the stream."""
        await self.owed()
        js, stream = self.platform.js, self.platform.stream("notify")
        last = (await js.stream_info(stream.name)).state.last_seq
        found = []
        for seq in range(1, last + 1):
            msg = await js.get_msg(stream.name, seq)
            for wire in commit_wire(msg.data):
                if wire["type"] == type_name and wire["tenant_id"] == self.tenant_id:
                    found.append(wire)
        return found


def settings_for(nats_url: str, postgres_dsn: str, namespace: str, port: int,
                 **overrides: Any) -> NotifySettings:
    return notify_settings(nats_url, postgres_dsn, namespace, secrets.token_urlsafe(32),
                           smtp_port=port, api_url="https://notify.example",
                           public_url="https://app.example", **overrides)


@pytest.fixture
async def world(nats_url: str, postgres_dsn: str, namespace: str, pg_schema: str,
                tenant_id: str) -> AsyncIterator[World]:
    port = free_port()
    settings = settings_for(nats_url, postgres_dsn, namespace, port,
                            email_retry_base_seconds=60.0)
    platform = await open_platform(settings, schema=pg_schema)
    folder = Path(tempfile.mkdtemp(prefix="notify-sink-"))
    trust = TrustCache(platform.pool, poll_interval=0.2)
    w: World | None = None
    try:
        async with platform.pool.acquire() as conn:
            await migrate(conn, MIGRATIONS)
        runners = await outbound.runners(platform, batch_size=50)
        await trust.start()
        w = World(platform, await outbound.build(platform, settings, trust), Sink(folder), port,
                  tenant_id, trust)
        dead = platform.stream("deadletter")
        w.runners = [*runners,
                     ProjectionRunner(TrustProjection("notify"), platform.stream("identity"),
                                      platform.nc, platform.pool, deadletters=dead),
                     ProjectionRunner(People(platform.sealer), platform.stream("identity"),
                                      platform.nc, platform.pool, deadletters=dead)]
        for runner in w.runners:
            await runner.start()
        w.smtp_up()
        yield w
    finally:
        if w is not None:
            w.smtp_down()
            for runner in w.runners:
                await runner.stop()
        await trust.stop()
        await platform.close()
