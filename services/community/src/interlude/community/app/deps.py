"""What community's command and query handlers work with, wired once in ``wiring.py``."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple, Protocol

import asyncpg

from interlude.community.domain.post import Post
from interlude.community.domain.reading import Reading
from interlude.community.domain.rehearsal import Rehearsal
from interlude.community.domain.space import Space, require
from interlude.shared.access import Access, AccessRecorder
from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.eventstore.base import EventStore
from interlude.shared.eventstore.repository import Repository
from interlude.shared.http.context import request_id_var, source_address_var
from interlude.shared.ids import new_id
from interlude.shared.policy import SecurityPolicy
from interlude.shared.sealing import Sealer

KEY = "community.enabled"


def utc_now() -> datetime:
    return datetime.now(UTC)


class Enforcer(Protocol):
    """The organisation's security policy (``interlude.shared.trust.Trust`` in production)."""

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


@dataclass
class Community:
    spaces: Repository[Space]
    posts: Repository[Post]
    rehearsals: Repository[Rehearsal]
    readings: Repository[Reading]
    store: EventStore
    codec: EventCodec
    policy: Enforcer
    pool: asyncpg.Pool
    sealer: Sealer
    id_secret: bytes
    access: AccessRecorder | None = None
    reports_to_hide: int = 3
    clock: Callable[[], datetime] = field(default=utc_now)

    def context(self, tenant_id: str, actor: Actor, *,
                policy_version: int | None = None) -> CommandContext:
        return CommandContext(tenant_id=tenant_id, actor=actor, now=self.clock(),
                              correlation_id=request_id_var.get() or new_id(),
                              policy_version=policy_version,
                              source_address=source_address_var.get())

    def _derive(self, *parts: str, length: int = 32) -> str:
        seed = ":".join(parts).encode()
        return hmac.new(self.id_secret, seed, hashlib.sha256).hexdigest()[:length]

    def new_id(self, ctx: CommandContext, kind: str, idempotency_key: str | None) -> str:
        """A fresh id; for a retried request (same Idempotency-Key) the same one again."""
        if not idempotency_key:
            return new_id()
        return self._derive(kind, ctx.tenant_id, ctx.actor.id, idempotency_key)

    def handle(self, tenant_id: str, space_id: str, user_id: str) -> str:
        """How peers refer to a member of a space: stable, and no way back to the user id."""
        return "m" + self._derive("handle", tenant_id, space_id, user_id, length=15)

    async def enforce(self, ctx: CommandContext, action: str, resource_type: str,
                      resource_id: str) -> SecurityPolicy:
        """``community.enabled`` (every route asks first): 403 naming the block when off."""
        return await self.policy.enforce(ctx.tenant_id, KEY, actor=ctx.actor, action=action,
                                         resource_type=resource_type, resource_id=resource_id)

    async def space(self, tenant_id: str, space_id: str) -> Space:
        """The space as it stands now (who is in it decides every read and command)."""
        return require((await self.spaces.current(tenant_id, space_id)).state)

    async def record_read(self, ctx: CommandContext, resource_type: str, resource_id: str,
                          subjects: Collection[str]) -> None:
        """Someone read members' posts: an access event for the audit trail."""
        if self.access is not None and subjects:
            await self.access.record(Access(
                tenant_id=ctx.tenant_id, actor=ctx.actor, action="read",
                resource_type=resource_type, resource_id=resource_id,
                data_subject=next(iter(subjects)) if len(subjects) == 1 else None,
                data_subjects=tuple(subjects), policy_version=ctx.policy_version,
                request_id=ctx.correlation_id, source_address=ctx.source_address))
