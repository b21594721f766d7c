"""Who engagement's events tell: the coachee of a coach's reply, a check-in's acknowledgement
or question, a contract awaiting their signature, the allowance nearly used (and renewed when
the next month begins); the coach of a coachee's message, a check-in waiting, a consent
withdrawn; the other party of a session moved or cancelled. A session's reminder, the
allowance's renewal and an unanswered message's overdue notice are timers
(``due_work``, kind ``reminder``: :mod:`.reminders` fires them), scheduled here and cancelled
when the session moves or is cancelled, the coach replies or the contract ends."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import asyncpg

from interlude.notify.adapters import due_work
from interlude.notify.app.deps import Notify
from interlude.notify.app.reactions import Reactions
from interlude.notify.app.telling import Tell, quiet_hours, terms_of
from interlude.notify.domain.events import Kind
from interlude.notify.projections import engagement_events as eng
from interlude.notify.projections import queries
from interlude.shared.projections.base import RecordedEvent

REMINDER = "reminder"
CONTRACT_CHANGES = frozenset({"engagement.ContractProposed", "engagement.ContractActivated",
                              "engagement.ContractEnded"})
Key = tuple[str, str]  # (tenant, contract)
Month = tuple[str, str, str]  # (tenant, contract, month)
BEFORE_SESSION = timedelta(hours=24)


def counted_in(event: RecordedEvent) -> Month | None:
    """The month of a contract whose allowance ``event`` uses (a counted coach reply)."""
    p = event.payload
    if event.type != "engagement.MessageSent" or not p.get("counted"):
        return None
    return event.tenant_id, str(p["contract_id"]), str(p["month"])


def renewal_of(month: str) -> datetime:
    """When a month's allowance (``"2026-12"``, engagement's calendar month in UTC) renews:
    the first instant of the month after."""
    year, number = (int(part) for part in month.split("-"))
    return datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)


def nearly_used(limit: int) -> int:
    """The coach reply of the month after which the coachee hears the allowance is nearly
    used: when a quarter of it (at least one reply) is left."""
    return limit - max(1, limit // 4)


class EngagementReactions(Reactions):
    name = "notify-engagement-reactions"
    reads = (eng.engagement,)
    when: ClassVar[dict[str, str]] = {
        "engagement.ContractProposed": "when_contract_proposed_tell",
        "engagement.ContractAmended": "when_contract_amended_tell",
        "engagement.ConsentWithdrawn": "when_consent_withdrawn_tell",
        "engagement.ContractEnded": "when_contract_ended_forget",
        "engagement.ContractContentExpired": "when_contract_content_expired_tell",
        "engagement.SessionScheduled": "when_session_scheduled_remind",
        "engagement.SessionRescheduled": "when_session_rescheduled_tell",
        "engagement.SessionCancelled": "when_session_cancelled_tell",
        "engagement.CheckInPosted": "when_check_in_posted_tell",
        "engagement.CheckInAcknowledged": "when_check_in_acknowledged_tell",
        "engagement.MessageSent": "when_message_sent_tell"}

    def __init__(self, deps: Notify) -> None:
        super().__init__(deps)
        self._contracts: dict[Key, asyncpg.Record | None] = {}
        self._overdue: set[Key] = set()  # contracts with an overdue notice still to fire
        self._used: dict[Month, int] = {}  # replies counted, as the read model has them now

    async def prepare(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        wanted = {(e.tenant_id, str(e.payload.get("contract_id") or e.aggregate_id))
                  for e in events if e.type in self.when}
        self._contracts, self._overdue, self._used = {}, set(), {}
        if not wanted:
            return
        self._contracts = dict.fromkeys(wanted) | await queries.contracts(conn, wanted)
        self._overdue = await queries.overdue_pending(conn, wanted)
        if months := {m for e in events if (m := counted_in(e)) is not None}:
            self._used = await queries.allowances_used(conn, months)

    def seen(self, event: RecordedEvent) -> None:
        if event.type in CONTRACT_CHANGES:
            self._contracts.pop((event.tenant_id, event.aggregate_id), None)
        if (month := counted_in(event)) is not None:  # the read model counted it
            self._used[month] = self._used.get(month, 0) + 1

    async def _contract(self, conn: asyncpg.Connection, tenant_id: str,
                        contract_id: str) -> asyncpg.Record | None:
        key = (tenant_id, contract_id)
        if key not in self._contracts:
            self._contracts[key] = await queries.contract(conn, tenant_id, contract_id)
        return self._contracts[key]

    async def _parties(self, conn: asyncpg.Connection, event: RecordedEvent,
                       contract_id: str, kind: Kind, link: str, *, but: str | None,
                       **more: Any) -> list[Tell]:
        """``kind`` for every party of the contract except ``but``."""
        row = await self._contract(conn, event.tenant_id, contract_id)
        if row is None:
            return []
        parties = [p for p in (row["coach_id"], row["coachee_id"], row["sponsor_id"]) if p]
        return [Tell(p, kind, link, actor_id=event.envelope.actor.id, contract_id=contract_id,
                     quiet_hours=quiet_hours(row["terms"]), **more)
                for p in parties if p != but and (p != row["sponsor_id"] or
                                                  kind.startswith("contract"))]

    async def when_contract_proposed_tell(self, conn: asyncpg.Connection,
                                          event: RecordedEvent) -> list[Tell]:
        return await self._parties(conn, event, event.aggregate_id, "contract_awaits_signature",
                                   f"/contracts/{event.aggregate_id}",
                                   but=event.envelope.actor.id)

    async def when_contract_amended_tell(self, conn: asyncpg.Connection,
                                         event: RecordedEvent) -> list[Tell]:
        e = event.of(eng.ContractAmended)
        return await self._parties(conn, event, event.aggregate_id, "contract_amended",
                                   f"/contracts/{event.aggregate_id}", but=e.proposed_by)

    async def when_consent_withdrawn_tell(self, conn: asyncpg.Connection,
                                          event: RecordedEvent) -> list[Tell]:
        e = event.of(eng.ConsentWithdrawn)
        return await self._parties(conn, event, event.aggregate_id, "consent_withdrawn",
                                   f"/contracts/{event.aggregate_id}", but=e.coachee_id)

    async def when_contract_content_expired_tell(self, conn: asyncpg.Connection,
                                                 event: RecordedEvent) -> list[Tell]:
        """Both parties hear that the contract's content is erased, as its terms agreed."""
        e = event.of(eng.ContractContentExpired)
        link = f"/contracts/{event.aggregate_id}"
        return [Tell(who, "content_expired", link, contract_id=event.aggregate_id)
                for who in (e.coach_id, e.coachee_id)]

    async def when_contract_ended_forget(self, conn: asyncpg.Connection,
                                         event: RecordedEvent) -> list[Tell]:
        self._overdue.discard((event.tenant_id, event.aggregate_id))
        await due_work.cancel(conn, tenant_id=event.tenant_id, kind=REMINDER, reason="ended",
                              now=event.envelope.occurred_at,
                              where={"contract_id": event.aggregate_id})
        return []

    async def _remind(self, conn: asyncpg.Connection, event: RecordedEvent, session_id: str,
                      starts_at: Any) -> None:
        """The session's reminder, a day before (at once when booked for tomorrow)."""
        row = await self._contract(conn, event.tenant_id, event.aggregate_id)
        now = event.envelope.occurred_at
        if row is None or starts_at <= now:
            return
        await due_work.schedule(
            conn, work_id=f"session:{event.tenant_id}:{session_id}:{starts_at.isoformat()}",
            tenant_id=event.tenant_id, kind=REMINDER, due_at=max(starts_at - BEFORE_SESSION, now),
            payload={"kind": "session_tomorrow", "contract_id": event.aggregate_id,
                     "session_id": session_id, "starts_at": starts_at.isoformat(),
                     "recipients": [row["coach_id"], row["coachee_id"]],
                     "link": f"/contracts/{event.aggregate_id}/sessions/{session_id}"})

    async def _unremind(self, conn: asyncpg.Connection, event: RecordedEvent,
                        session_id: str) -> None:
        await due_work.cancel(conn, tenant_id=event.tenant_id, kind=REMINDER, reason="moved",
                              now=event.envelope.occurred_at, where={"session_id": session_id})

    async def when_session_scheduled_remind(self, conn: asyncpg.Connection,
                                            event: RecordedEvent) -> list[Tell]:
        e = event.of(eng.SessionScheduled)
        await self._remind(conn, event, e.session_id, e.starts_at)
        return []

    async def when_session_rescheduled_tell(self, conn: asyncpg.Connection,
                                            event: RecordedEvent) -> list[Tell]:
        e = event.of(eng.SessionRescheduled)
        await self._unremind(conn, event, e.session_id)
        await self._remind(conn, event, e.session_id, e.starts_at)
        return await self._parties(conn, event, event.aggregate_id, "session_moved",
                                   f"/contracts/{event.aggregate_id}/sessions/{e.session_id}",
                                   but=e.rescheduled_by, item_id=e.session_id)

    async def when_session_cancelled_tell(self, conn: asyncpg.Connection,
                                          event: RecordedEvent) -> list[Tell]:
        e = event.of(eng.SessionCancelled)
        await self._unremind(conn, event, e.session_id)
        return await self._parties(conn, event, event.aggregate_id, "session_cancelled",
                                   f"/contracts/{event.aggregate_id}/sessions/{e.session_id}",
                                   but=e.cancelled_by, item_id=e.session_id, excerpt=e.reason)

    async def when_check_in_posted_tell(self, conn: asyncpg.Connection,
                                        event: RecordedEvent) -> list[Tell]:
        e = event.of(eng.CheckInPosted)
        row = await self._contract(conn, event.tenant_id, e.contract_id)
        return [Tell(e.coach_id, "checkin_awaits",
                     f"/contracts/{e.contract_id}/check-ins/{event.aggregate_id}",
                     actor_id=e.coachee_id, contract_id=e.contract_id,
                     item_id=event.aggregate_id, excerpt=e.text,
                     quiet_hours=quiet_hours(row["terms"] if row else None))]

    async def when_check_in_acknowledged_tell(self, conn: asyncpg.Connection,
                                              event: RecordedEvent) -> list[Tell]:
        e = event.of(eng.CheckInAcknowledged)
        row = await self._contract(conn, event.tenant_id, e.contract_id)
        kind: Kind = "checkin_questioned" if e.kind == "question" else "checkin_acknowledged"
        return [Tell(e.coachee_id, kind,
                     f"/contracts/{e.contract_id}/check-ins/{event.aggregate_id}",
                     actor_id=event.envelope.actor.id, contract_id=e.contract_id,
                     item_id=event.aggregate_id, excerpt=e.question,
                     quiet_hours=quiet_hours(row["terms"] if row else None))]

    async def when_message_sent_tell(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> list[Tell]:
        e = event.of(eng.MessageSent)
        row = await self._contract(conn, event.tenant_id, e.contract_id)
        if row is None:
            return []
        terms = terms_of(row["terms"])
        link = f"/contracts/{e.contract_id}/thread"
        told: dict[str, Any] = {"actor_id": e.sender_id, "contract_id": e.contract_id,
                                "item_id": e.message_id, "quiet_hours": quiet_hours(terms)}
        if e.party == "coachee":
            await self._await_reply(conn, event, e, row, terms)
            return [Tell(row["coach_id"], "message_received", link,
                         excerpt=e.body, **told)]
        if (event.tenant_id, e.contract_id) in self._overdue:
            self._overdue.discard((event.tenant_id, e.contract_id))
            await due_work.cancel(conn, tenant_id=event.tenant_id, kind=REMINDER,
                                  reason="replied", now=event.envelope.occurred_at,
                                  where={"kind": "reply_overdue", "contract_id": e.contract_id})
        tells = [Tell(e.coachee_id, "coach_replied", link, excerpt=e.body,
                      **told)]
        allowance = terms.get("allowance") or {}
        limit = allowance.get("replies_per_month")
        if e.counted and allowance.get("kind", "monthly") == "monthly" and limit and \
                self._used.get((event.tenant_id, e.contract_id, e.month)) == nearly_used(limit):
            tells.append(Tell(e.coachee_id, "allowance_nearly_used", link, part="allowance",
                              **told))
            await self._renewal(conn, event, e, link)
        return tells

    async def _renewal(self, conn: asyncpg.Connection, event: RecordedEvent,
                       e: eng.MessageSent, link: str) -> None:
        """A coachee told the month's replies are nearly used hears when they are renewed:
        when engagement's next month begins (``MessageSent.month`` is a calendar month in UTC,
        engagement's reckoning of the allowance). Cancelled with the contract's other timers
        when it ends."""
        renews = renewal_of(e.month)
        await due_work.schedule(
            conn, work_id=f"renewed:{event.tenant_id}:{e.contract_id}:{renews:%Y-%m}",
            tenant_id=event.tenant_id, kind=REMINDER, due_at=renews,
            payload={"kind": "allowance_renewed", "contract_id": e.contract_id,
                     "recipients": [e.coachee_id], "link": link,
                     "month": f"{renews:%Y-%m}"})

    async def _await_reply(self, conn: asyncpg.Connection, event: RecordedEvent,
                       e: eng.MessageSent, row: asyncpg.Record, terms: Mapping[str, Any]) -> None:
        """The coach hears when the reply window of the first unanswered message passes."""
        where = {"kind": "reply_overdue", "contract_id": e.contract_id}
        if (event.tenant_id, e.contract_id) in self._overdue:
            return
        self._overdue.add((event.tenant_id, e.contract_id))
        hours = int((terms.get("allowance") or {}).get("reply_window_hours", 48))
        await due_work.schedule(
            conn, work_id=f"overdue:{event.tenant_id}:{e.contract_id}:{e.message_id}",
            tenant_id=event.tenant_id, kind=REMINDER,
            due_at=event.envelope.occurred_at + timedelta(hours=hours),
            payload={**where, "recipients": [row["coach_id"]], "actor_id": e.sender_id,
                     "item_id": e.message_id, "link": f"/contracts/{e.contract_id}/thread"})
