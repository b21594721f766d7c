"""How a reaction tells someone: a :class:`Tell` per recipient, queued as the notification
aggregate ``notification_id(cause, recipient)`` created at expected sequence 0, so a cause
replayed or redelivered tells no one twice (the append finds the aggregate there and is a
no-op), and kept at once in the recipient's inbox, in the transaction that handles the cause.
Content is copied from the cause sealed: opened here only to be sealed again, under the same
person's key, into ``NotificationQueued``; an erased cause copies nothing.

What the organisation's policy allows is read from notify's copy of it (``trust_policies``,
kept by the API's trust cache): an organisation whose ``notify.channels`` is empty is told
nothing, one with ``community.enabled`` off nothing of community's (``messaging.enabled``,
``checkins.enabled``, ``materials.enabled``: nothing of those); a forgotten person is
never told anything again, and a deactivated one nothing while their account is off (their
tokens are refused everywhere: an inbox they cannot open, an e-mail about a coaching they are
out of). An organisation whose policy notify has not seen yet gets the
defaults: the cause was allowed by its own service under the policy it knew.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

import asyncpg
import orjson

from interlude.notify.app import queuing
from interlude.notify.app.deps import Notify
from interlude.notify.domain.events import (
    FEATURES_OF,
    Kind,
    QuietHours,
    notification_id,
)
from interlude.notify.projections import inbox
from interlude.shared.events.envelope import Envelope
from interlude.shared.eventstore.base import Append, ConcurrencyError
from interlude.shared.projections.base import RecordedEvent
from interlude.shared.sealing import Secret


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
        """Read off the wire: the whole envelope (its actor, its every field) costs four
        times as much, and most causes need no more of it."""
        w = event.wire
        return cls(str(w["tenant_id"]), str(w["event_id"]), str(w["type"]),
                   datetime.fromisoformat(w["occurred_at"]), w.get("correlation_id"))


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


@functools.lru_cache(maxsize=4096)
def terms_of(text: str) -> Mapping[str, Any]:
    """A contract's terms as the contracts table keeps them (JSON text), parsed once for all
    the events of that contract (read only: shared between callers)."""
    return MappingProxyType(json.loads(text))


@functools.lru_cache(maxsize=4096)
def _quiet_hours(text: str) -> QuietHours | None:
    return quiet_hours(terms_of(text))


def quiet_hours(terms: Mapping[str, Any] | str | None) -> QuietHours | None:
    """The quiet hours of a contract's terms (as the contracts table keeps them)."""
    if terms is None:
        return None
    if isinstance(terms, str):
        return _quiet_hours(terms)  # frozen: one per contract's terms will do
    value = terms.get("quiet_hours")
    if not value:
        return None
    return QuietHours(start=str(value["start"])[:5], end=str(value["end"])[:5],
                      time_zone=value.get("timezone") or "UTC")


class Teller:
    """Queues the notifications of a batch of causes, filtered by policy and erasure."""

    def __init__(self, deps: Notify) -> None:
        self.deps = deps

    async def queue(self, conn: asyncpg.Connection, told: list[tuple[Cause, Tell]]) -> int:
        """Queue every allowed (cause, tell) and keep it in its recipient's inbox, in the
        caller's transaction; answers how many were new. The batch's notifications are
        appended together (the store's ``append_many``: a few round trips and one disk flush
        per few hundred), each alone still refused when its aggregate exists (told already:
        the cause was replayed or redelivered); their inbox rows follow in one statement, so
        a notification is readable when its cause's checkpoint commits, not after another
        consumer's round. The inbox's lock, taken first and held to commit, keeps rows
        committed in the order of their seq (the stream position) whichever consumer tells."""
        told = [(c, t) for c, t in told if t.recipient_id != t.actor_id]
        if not told:
            return 0
        allowed = await self._allowed(conn, told)  # and the inbox's lock, held to commit
        once = {(c.tenant_id, self._id(c, t)): (c, t) for c, t in told
                if allowed(c.tenant_id, t)}  # a batch may tell the same person the same twice
        if not once:
            return 0
        made = [(c, t, await self._envelope(c, t, nid)) for (_, nid), (c, t) in once.items()]
        subject = self.deps.notifications.subject
        results = await self.deps.store.append_many([
            Append(subject(e.tenant_id, e.aggregate_id), [e], expected_last_seq=0,
                   idempotency_key=e.aggregate_id) for _, _, e in made])
        await inbox.store(conn, [_row(c, t, e, r.position) for (c, t, e), r
                                 in zip(made, results, strict=True)
                                 if not isinstance(r, ConcurrencyError)])
        return sum(not isinstance(r, ConcurrencyError) and not r.duplicate for r in results)

    async def _envelope(self, cause: Cause, tell: Tell, nid: str) -> Envelope:
        sealer = self.deps.sealer
        return await queuing.envelope(
            sealer, tenant_id=cause.tenant_id, notification_id=nid, cause_id=cause.cause_id,
            cause_type=cause.cause_type, occurred_at=cause.occurred_at,
            correlation_id=cause.correlation_id, recipient_id=tell.recipient_id,
            kind=tell.kind, link=tell.link, actor_id=tell.actor_id,
            actor_pseudonym=tell.actor_pseudonym, contract_id=tell.contract_id,
            space_id=tell.space_id, item_id=tell.item_id,
            topic=await queuing.opened(sealer, cause.tenant_id, tell.topic),
            excerpt=await queuing.opened(sealer, cause.tenant_id, tell.excerpt),
            quiet_hours=tell.quiet_hours)

    async def _allowed(self, conn: asyncpg.Connection, told: list[tuple[Cause, Tell]]) -> Any:
        tenants = list({c.tenant_id for c, _ in told})
        found = await conn.fetchrow(  # the lock, the policies and who is gone at once
            f"SELECT {inbox.LOCK_SEQ} AS locked,"
            " (SELECT coalesce(jsonb_object_agg(tenant_id, policy), '{}')"
            " FROM trust_policies WHERE tenant_id = ANY($1))::text AS policies,"
            " (SELECT coalesce(array_agg(array[tenant_id, user_id]), '{}') FROM people"
            " WHERE tenant_id = ANY($1) AND user_id = ANY($2)"
            " AND status IN ('forgotten', 'deactivated')) AS gone",
            tenants, list({t.recipient_id for _, t in told}))
        policies: dict[str, dict[str, Any]] = json.loads(found["policies"])
        gone = {(tenant, user) for tenant, user in found["gone"]}

        def allowed(tenant_id: str, tell: Tell) -> bool:
            policy = policies.get(tenant_id, {})
            if not policy.get("notify.channels", ["in_app", "email"]):
                return False
            if any(policy.get(switch) is False for switch in FEATURES_OF.get(tell.kind, ())):
                return False
            return (tenant_id, tell.recipient_id) not in gone

        return allowed

    @staticmethod
    def _id(cause: Cause, tell: Tell) -> str:
        return notification_id(f"{cause.cause_id}:{tell.part}" if tell.part else cause.cause_id,
                               tell.recipient_id)


def _row(cause: Cause, tell: Tell, queued: Envelope, position: int) -> tuple[Any, ...]:
    """The inbox row of a notification, as the inbox projection would store it from its
    ``NotificationQueued`` (content as sealed in the event, bound to it)."""
    payload = queued.payload

    def kept(field: str) -> str | None:
        value = payload[field]
        return None if value is None else orjson.dumps(
            {"event_id": queued.event_id, "field": field, "sealed": value}).decode()

    return (cause.tenant_id, queued.aggregate_id, tell.recipient_id, inbox.seq(position, 0),
            tell.kind, cause.cause_type, cause.occurred_at, tell.actor_id,
            tell.actor_pseudonym, tell.contract_id, tell.space_id, tell.item_id, tell.link,
            kept("topic"), kept("excerpt"))
