"""What engagement's command and query handlers work with, wired once in ``wiring.py``."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple, Protocol

import asyncpg

from interlude.engagement.domain.checkin import CheckIn
from interlude.engagement.domain.contract import Contract, Pairing
from interlude.engagement.domain.errors import NotFound
from interlude.engagement.domain.goal import Experiment, Goal
from interlude.engagement.domain.thread import Thread
from interlude.shared.access import Access, AccessRecorder
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.eventstore.repository import Repository
from interlude.shared.http.context import request_id_var, source_address_var
from interlude.shared.ids import new_id
from interlude.shared.policy import SecurityPolicy
from interlude.shared.sealing import Sealer


def utc_now() -> datetime:
    return datetime.now(UTC)


class Enforcer(Protocol):
    """The organisation's security policy (``interlude.shared.trust.Trust`` in production)."""

    async def enforce(self, tenant_id: str, key: str, *, actor: Actor | None = None,
                      action: str = "", resource_type: str = "",
                      resource_id: str = "") -> SecurityPolicy: ...

    def policy(self, tenant_id: str) -> SecurityPolicy | None: ...


class Written(NamedTuple):
    """What a command answers: the id it wrote and the stream position to read after."""

    id: str
    position: int


@dataclass
class Engagement:
    contracts: Repository[Contract]
    pairings: Repository[Pairing]
    checkins: Repository[CheckIn]
    threads: Repository[Thread]
    goals: Repository[Goal]
    experiments: Repository[Experiment]
    policy: Enforcer
    pool: asyncpg.Pool
    sealer: Sealer
    id_secret: bytes
    access: AccessRecorder | None = None
    clock: Callable[[], datetime] = field(default=utc_now)

    def context(self, tenant_id: str, actor: Actor, *,
                policy_version: int | None = None) -> CommandContext:
        return CommandContext(tenant_id=tenant_id, actor=actor, now=self.clock(),
                              correlation_id=request_id_var.get() or new_id(),
                              policy_version=policy_version,
                              source_address=source_address_var.get())

    def new_id(self, ctx: CommandContext, kind: str, idempotency_key: str | None) -> str:
        """A fresh id; for a retried request (same Idempotency-Key) the same one again."""
        if not idempotency_key:
            return new_id()
        seed = f"{kind}:{ctx.tenant_id}:{ctx.actor.id}:{idempotency_key}".encode()
        return hmac.new(self.id_secret, seed, hashlib.sha256).hexdigest()[:32]

    async def enforce(self, ctx: CommandContext, key: str, action: str, resource_type: str,
                      resource_id: str) -> SecurityPolicy:
        return await self.policy.enforce(ctx.tenant_id, key, actor=ctx.actor, action=action,
                                         resource_type=resource_type, resource_id=resource_id)

    async def contract(self, tenant_id: str, contract_id: str) -> Contract:
        state = (await self.contracts.load(tenant_id, contract_id)).state
        if not state.exists:
            raise NotFound("there is no such contract")
        return state

    async def record_read(self, ctx: CommandContext, resource_type: str, resource_id: str,
                          data_subject: str) -> None:
        """Someone read coaching content: an access event for the audit trail."""
        if self.access is not None:
            await self.access.record(Access(
                tenant_id=ctx.tenant_id, actor=ctx.actor, action="read",
                resource_type=resource_type, resource_id=resource_id, data_subject=data_subject,
                policy_version=ctx.policy_version, request_id=ctx.correlation_id,
                source_address=ctx.source_address))
