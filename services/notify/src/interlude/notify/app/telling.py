"""How a reaction tells someone: a :class:`Tell` per recipient, stored as the notification
``notification_id(cause, recipient)`` in the ledger (``queued``) and the recipient's inbox, in
the transaction that handles the cause, so a cause replayed or redelivered tells no one twice
(the ledger has it already). The :class:`~.recording.Recorder` then records each as the
notification aggregate (``NotificationQueued``, created at expected sequence 0). Content is
kept as the cause sealed it; the recorder opens it only to seal it again, under the same
person's key, into ``NotificationQueued``.

What the organisation's policy allows is read from notify's copy of it (``trust_policies``,
kept by the API's trust cache): an organisation whose ``notify.channels`` is empty is told
nothing, one with ``community.enabled`` off nothing of community's; a forgotten person is
never told anything again. An organisation whose policy notify has not seen yet gets the
defaults: the cause was allowed by its own service under the policy it knew.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from interlude.notify.app import live, recording
from interlude.notify.app.deps import Notify
from interlude.notify.domain.events import Kind, QuietHours, notification_id
from interlude.notify.projections import inbox
from interlude.shared.projections.base import RecordedEvent
from interlude.shared.projections.sealed import kept
from interlude.shared.projections.typed import Sealed
from interlude.shared.sealing import Secret

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
    """Stores the notifications of a batch of causes, filtered by policy and erasure, in the
    caller's transaction: the ledger row (``queued``, which the :class:`~.recording.Recorder`
    records as ``NotificationQueued`` once committed) and the inbox row, in one statement."""

    def __init__(self, deps: Notify) -> None:
        self.deps = deps

    async def queue(self, conn: asyncpg.Connection, told: list[tuple[Cause, Tell]]) -> int:
        """Store every allowed (cause, tell); answers how many were new. A notification told
        already (its cause redelivered, replayed or its timer fired twice) is in the ledger:
        nothing is stored again, nobody is told twice."""
        told = [(c, t) for c, t in told if t.recipient_id != t.actor_id]
        if not told:
            return 0
        allowed = await self._allowed(conn, told)
        once = {(c.tenant_id, self._id(c, t)): (c, t) for c, t in told
                if allowed(c.tenant_id, t)}  # a batch may tell the same person the same twice
        if not once:
            return 0
        rows = [self._row(c, t, nid) for (_, nid), (c, t) in once.items()]
        await inbox.lock_seq(conn)
        counts = await conn.fetchrow(
            f"WITH r AS (SELECT * FROM unnest({inbox.COLUMNS}, $16::text[], $17::text[],"
            f" $18::jsonb[]) AS r({inbox.ROW}, ci, co, qh)),"
            " told AS (INSERT INTO queued (tenant_id, notification_id, recipient_id, kind,"
            " cause_type, occurred_at, actor_id, actor_pseudonym, contract_id, space_id,"
            " item_id, link, topic, excerpt, cause_id, correlation_id, quiet_hours)"
            f" SELECT {inbox.ROW}, ci, co, qh FROM r ON CONFLICT DO NOTHING"
            " RETURNING tenant_id, notification_id),"
            " fresh AS (SELECT r.* FROM r JOIN told ON told.tenant_id = r.t"
            f" AND told.notification_id = r.n), {inbox.store('fresh')}"
            " SELECT (SELECT count(*) FROM told) AS new, (SELECT count(*) FROM announced),"
            " (SELECT count(*) FROM (SELECT pg_notify($19, '') FROM told LIMIT 1) w)",
            live.CHANNEL, *[list(column) for column in zip(*rows, strict=True)],
            recording.CHANNEL)  # announced on commit: to the live streams, to the recorder
        return int(counts["new"])

    async def _allowed(self, conn: asyncpg.Connection, told: list[tuple[Cause, Tell]]) -> Any:
        tenants = list({c.tenant_id for c, _ in told})
        found = await conn.fetchrow(  # the policies and the forgotten, in one round trip
            "SELECT (SELECT coalesce(jsonb_object_agg(tenant_id, policy), '{}')"
            " FROM trust_policies WHERE tenant_id = ANY($1))::text AS policies,"
            " (SELECT coalesce(array_agg(array[tenant_id, user_id]), '{}') FROM people"
            " WHERE tenant_id = ANY($1) AND user_id = ANY($2) AND status = 'forgotten')"
            " AS forgotten", tenants, list({t.recipient_id for _, t in told}))
        policies: dict[str, dict[str, Any]] = json.loads(found["policies"])
        forgotten = {(tenant, user) for tenant, user in found["forgotten"]}

        def allowed(tenant_id: str, tell: Tell) -> bool:
            policy = policies.get(tenant_id, {})
            if not policy.get("notify.channels", ["in_app", "email"]):
                return False
            if tell.kind in COMMUNITY_KINDS and policy.get("community.enabled") is False:
                return False
            return (tenant_id, tell.recipient_id) not in forgotten

        return allowed

    @staticmethod
    def _id(cause: Cause, tell: Tell) -> str:
        return notification_id(f"{cause.cause_id}:{tell.part}" if tell.part else cause.cause_id,
                               tell.recipient_id)

    @staticmethod
    def _row(cause: Cause, tell: Tell, nid: str) -> tuple[Any, ...]:
        """The columns of :data:`..projections.inbox.ROW`, then the cause's id, the
        correlation and the quiet hours. Content is kept as the cause sealed it."""
        return (cause.tenant_id, nid, tell.recipient_id, tell.kind, cause.cause_type,
                cause.occurred_at, tell.actor_id, tell.actor_pseudonym, tell.contract_id,
                tell.space_id, tell.item_id, tell.link, _kept(tell.topic), _kept(tell.excerpt),
                cause.cause_id, cause.correlation_id,
                tell.quiet_hours.model_dump_json() if tell.quiet_hours else None)


def _kept(value: Secret | None) -> str | None:
    if value is not None and not isinstance(value, Sealed):
        raise TypeError("a notification copies content sealed, as its cause holds it")
    return kept(value)
