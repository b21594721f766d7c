"""The application layer's common ground: every service's app object (``Engagement``,
``Community``, ...) is a :class:`ServiceApp` with its repositories added."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple, Protocol

import asyncpg

from interlude.shared.access import Access, AccessRecorder
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.http.context import request_id_var, source_address_var
from interlude.shared.ids import new_id
from interlude.shared.policy import SecurityPolicy
from interlude.shared.sealing import Sealer


def utc_now() -> datetime:
    return datetime.now(UTC)


def command_context(tenant_id: str, actor: Actor, now: datetime, *,
                    policy_version: int | None = None,
                    causation_id: str | None = None) -> CommandContext:
    """A command's context at ``now``, correlated with the request being served (its id and
    source address), if any: :meth:`ServiceApp.context` for an app object that is not a
    :class:`ServiceApp` (identity's, which owns the policies the others enforce)."""
    return CommandContext(tenant_id=tenant_id, actor=actor, now=now,
                          correlation_id=request_id_var.get() or new_id(),
                          causation_id=causation_id, policy_version=policy_version,
                          source_address=source_address_var.get())


class Enforcer(Protocol):
    """The organisations' security policies (``interlude.shared.trust.Trust`` in production,
    a fake in unit tests)."""

    async def enforce(self, tenant_id: str, key: str, *, actor: Actor | None = None,
                      action: str = "", resource_type: str = "",
                      resource_id: str = "") -> SecurityPolicy: ...

    async def enforce_choice(self, tenant_id: str, key: str, allowed: Collection[object], *,
                             actor: Actor | None = None, action: str = "",
                             resource_type: str = "", resource_id: str = "") -> SecurityPolicy:
        ...

    def policy(self, tenant_id: str) -> SecurityPolicy | None: ...


class Written(NamedTuple):
    """What a command answers: the id it wrote and the stream position to read after."""

    id: str
    position: int


@dataclass(kw_only=True)
class ServiceApp:
    """What every service's command and query handlers work with besides its repositories.

    ``id_secret`` keys the ids derived from an ``Idempotency-Key`` (a retried request gets the
    same id again, and nobody can guess another caller's); ``access`` publishes read and denial
    events for the audit trail (None in unit tests)."""

    policy: Enforcer
    pool: asyncpg.Pool
    sealer: Sealer
    id_secret: bytes
    access: AccessRecorder | None = None
    clock: Callable[[], datetime] = field(default=utc_now)

    def context(self, tenant_id: str, actor: Actor, *, policy_version: int | None = None,
                causation_id: str | None = None, now: datetime | None = None
                ) -> CommandContext:
        """A command's context: from a request (the clock, the request id) or, for a reaction
        to an event, with ``causation_id`` and ``now`` taken from that event."""
        return command_context(tenant_id, actor, now or self.clock(),
                               policy_version=policy_version, causation_id=causation_id)

    def derive(self, *parts: str, length: int = 32) -> str:
        """A keyed digest of ``parts``: stable, and no way back to them."""
        seed = ":".join(parts).encode()
        return hmac.new(self.id_secret, seed, hashlib.sha256).hexdigest()[:length]

    def new_id(self, ctx: CommandContext, kind: str, idempotency_key: str | None) -> str:
        """A fresh id; for a retried request (same Idempotency-Key) the same one again."""
        if not idempotency_key:
            return new_id()
        return self.derive(kind, ctx.tenant_id, ctx.actor.id, idempotency_key)

    async def enforce(self, ctx: CommandContext, key: str, action: str, resource_type: str,
                      resource_id: str) -> SecurityPolicy:
        """The organisation's block ``key``: 403 naming it (and an access event) when off."""
        return await self.policy.enforce(ctx.tenant_id, key, actor=ctx.actor, action=action,
                                         resource_type=resource_type, resource_id=resource_id)

    async def record_read(self, ctx: CommandContext, resource_type: str, resource_id: str,
                          subjects: str | Collection[str]) -> None:
        """Someone read confidential content of ``subjects``: an access event for the audit
        trail (nothing when nobody's content was in the answer)."""
        people = (subjects,) if isinstance(subjects, str) else tuple(subjects)
        if self.access is None or not people:
            return
        await self.access.record(Access(
            tenant_id=ctx.tenant_id, actor=ctx.actor, action="read",
            resource_type=resource_type, resource_id=resource_id,
            data_subject=people[0] if len(people) == 1 else None,
            data_subjects=people if len(people) > 1 else (), policy_version=ctx.policy_version,
            request_id=ctx.correlation_id, source_address=ctx.source_address))

    async def record_refused(self, ctx: CommandContext, resource_type: str, resource_id: str,
                             subject: str, reason: str) -> None:
        """Someone asked to read ``subject``'s confidential content and was refused (not a
        party to it, say): an access event naming whose it was, so the person sees the
        attempt among who has read their data. The caller still answers as if there were
        nothing there."""
        if self.access is None:
            return
        await self.access.record(Access(
            tenant_id=ctx.tenant_id, actor=ctx.actor, action="read", outcome="denied",
            resource_type=resource_type, resource_id=resource_id, data_subject=subject,
            reason=reason, policy_version=ctx.policy_version, request_id=ctx.correlation_id,
            source_address=ctx.source_address))

    async def record_access(self, ctx: CommandContext, action: str, resource_type: str,
                            resource_id: str) -> None:
        """Someone used ``resource_id`` in a way the audit trail keeps although no person's
        content was in the answer (audit's queries, verifications and exports of itself)."""
        if self.access is None:
            return
        await self.access.record(Access(
            tenant_id=ctx.tenant_id, actor=ctx.actor, action=action,
            resource_type=resource_type, resource_id=resource_id,
            policy_version=ctx.policy_version, request_id=ctx.correlation_id,
            source_address=ctx.source_address))
