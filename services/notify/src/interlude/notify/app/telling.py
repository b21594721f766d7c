"""How a reaction tells someone: a :class:`Tell` per recipient, queued as the notification
aggregate ``notification_id(cause, recipient)`` created at expected sequence 0, so a cause
replayed or redelivered tells no one twice (the append finds the aggregate there and is a
no-op). Content is copied from the cause sealed: opened here only to be sealed again, under
the same person's key, into ``NotificationQueued``; an erased cause copies nothing.

What the organisation's policy allows is read from notify's copy of it (``trust_policies``,
kept by the API's trust cache): an organisation whose ``notify.channels`` is empty is told
nothing, one with ``community.enabled`` off nothing of community's; a forgotten person is
never told anything again. An organisation whose policy notify has not seen yet gets the
defaults: the cause was allowed by its own service under the policy it knew.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from interlude.notify.app.deps import Notify
from interlude.notify.domain.events import Kind, NotificationQueued, QuietHours, notification_id
from interlude.shared.events.envelope import Actor
from interlude.shared.eventstore.base import ConcurrencyError
from interlude.shared.eventstore.repository import Created
from interlude.shared.projections.base import RecordedEvent
from interlude.shared.projections.typed import Sealed
from interlude.shared.sealing import Secret

SYSTEM = Actor.system("notify")
COMMUNITY_KINDS = frozenset({
    "post_commented", "comment_replied", "post_reacted", "member_tagged", "post_shared",
    "insight_pinned", "post_hidden", "pseudonym_revealed", "space_invitation",
    "rehearsal_drafted", "rehearsal_feedback"})


@dataclass(frozen=True)
class Cause:
    """What made notify tell someone: an event of another service, or a timer that fell due."""

    tenant_id: str
    cause_id: str
    cause_type: str
    occurred_at: datetime
    correlation_id: str | None = None

    @classmethod
    def of(cls, event: RecordedEvent) -> Cause:
        e = event.envelope
        return cls(e.tenant_id, e.event_id, e.type, e.occurred_at, e.correlation_id)


@dataclass(frozen=True)
class Tell:
    """One person to tell of a cause, and how to show it."""

    recipient_id: str
    kind: Kind
    link: str
    actor_id: str | None = None
    actor_pseudonym: str | None = None
    contract_id: str | None = None
    space_id: str | None = None
    item_id: str | None = None
    topic: Secret | None = None    # as decoded from the cause: still sealed
    excerpt: Secret | None = None
    quiet_hours: QuietHours | None = None
    part: str = ""  # tells the same person a second thing of the same cause


def quiet_hours(terms: dict[str, Any] | str | None) -> QuietHours | None:
    """The quiet hours of a contract's terms (as the contracts table keeps them)."""
    if terms is None:
        return None
    value = (json.loads(terms) if isinstance(terms, str) else terms).get("quiet_hours")
    if not value:
        return None
    return QuietHours(start=str(value["start"])[:5], end=str(value["end"])[:5],
                      time_zone=value.get("timezone") or "UTC")


class Teller:
    """Queues the notifications of a batch of causes, filtered by policy and erasure."""

    def __init__(self, deps: Notify) -> None:
        self.deps = deps

    async def queue(self, conn: asyncpg.Connection, told: list[tuple[Cause, Tell]]) -> int:
        """Queue every allowed (cause, tell); answers how many were new. The batch's
        notifications are appended together (the store's ``append_many``: a few round trips
        and one disk flush per few hundred), and each alone is still refused when its
        aggregate exists (told already: the cause was replayed or redelivered)."""
        told = [(c, t) for c, t in told if t.recipient_id != t.actor_id]
        if not told:
            return 0
        allowed = await self._allowed(conn, told)
        once = {(c.tenant_id, self._id(c, t)): (c, t) for c, t in told
                if allowed(c.tenant_id, t)}  # a batch may tell the same person the same twice
        created = await asyncio.gather(*(self._created(c, t, nid)
                                         for (_, nid), (c, t) in once.items()))
        results = await self.deps.notifications.create_many(created)
        return sum(not isinstance(r, ConcurrencyError) and not r.duplicate for r in results)

    async def _allowed(self, conn: asyncpg.Connection, told: list[tuple[Cause, Tell]]) -> Any:
        tenants = list({c.tenant_id for c, _ in told})
        policies = {r["tenant_id"]: json.loads(r["policy"]) for r in await conn.fetch(
            "SELECT tenant_id, policy::text FROM trust_policies WHERE tenant_id = ANY($1)",
            tenants)}
        forgotten = {(r["tenant_id"], r["user_id"]) for r in await conn.fetch(
            "SELECT tenant_id, user_id FROM people WHERE tenant_id = ANY($1)"
            " AND user_id = ANY($2) AND status = 'forgotten'",
            tenants, list({t.recipient_id for _, t in told}))}

        def allowed(tenant_id: str, tell: Tell) -> bool:
            policy = policies.get(tenant_id, {})
            if not policy.get("notify.channels", ["in_app", "email"]):
                return False
            if tell.kind in COMMUNITY_KINDS and policy.get("community.enabled") is False:
                return False
            return (tenant_id, tell.recipient_id) not in forgotten

        return allowed

    async def _copy(self, tenant_id: str, value: Secret | None) -> Secret | None:
        if value is None:
            return None
        if not isinstance(value, Sealed):
            raise TypeError("a notification copies content sealed, as its cause holds it")
        opened = await self.deps.sealer.open(value.sealed, tenant=tenant_id,
                                             event_id=value.event_id, field=value.field)
        return None if opened.is_erased else opened

    @staticmethod
    def _id(cause: Cause, tell: Tell) -> str:
        return notification_id(f"{cause.cause_id}:{tell.part}" if tell.part else cause.cause_id,
                               tell.recipient_id)

    async def _created(self, cause: Cause, tell: Tell, nid: str) -> Created:
        ctx = self.deps.context(cause.tenant_id, SYSTEM, causation_id=cause.cause_id,
                                now=cause.occurred_at)
        if cause.correlation_id:
            ctx = dataclasses.replace(ctx, correlation_id=cause.correlation_id)
        queued = NotificationQueued(
            recipient_id=tell.recipient_id, kind=tell.kind, cause_id=cause.cause_id,
            cause_type=cause.cause_type, occurred_at=cause.occurred_at, actor_id=tell.actor_id,
            actor_pseudonym=tell.actor_pseudonym, contract_id=tell.contract_id,
            space_id=tell.space_id, item_id=tell.item_id, link=tell.link,
            topic=await self._copy(cause.tenant_id, tell.topic),
            excerpt=await self._copy(cause.tenant_id, tell.excerpt),
            quiet_hours=tell.quiet_hours)
        return Created(cause.tenant_id, nid, [queued], ctx, idempotency_key=nid)
