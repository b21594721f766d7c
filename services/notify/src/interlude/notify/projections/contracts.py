"""engagement's contracts as notify needs them, read from engagement's published events by name
and field (:mod:`.engagement_events`): the parties, the terms that decide (quiet hours, the
reply window, the allowance), the sessions' times and the coach replies counted per month.
The reactions to the same events run in step after each event (``app/reactions.py``)."""

from __future__ import annotations

import asyncpg

from interlude.notify.projections import engagement_events as eng
from interlude.shared.projections.base import Projection, RecordedEvent

NAME = "notify-contracts"


class Contracts(Projection):
    name = NAME
    tables = ("contracts", "allowance_used", "sessions")
    reads = (eng.engagement,)
    handles = ("engagement.ContractProposed", "engagement.ContractActivated",
               "engagement.ContractEnded", "engagement.SessionScheduled",
               "engagement.SessionRescheduled", "engagement.MessageSent")

    async def _upsert(self, conn: asyncpg.Connection, event: RecordedEvent,
                      e: eng.ContractProposed | eng.ContractActivated, active: bool) -> None:
        await conn.execute(
            "INSERT INTO contracts (tenant_id, contract_id, coach_id, coachee_id, sponsor_id,"
            " active, terms) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)"
            " ON CONFLICT (tenant_id, contract_id) DO UPDATE SET terms = excluded.terms,"
            " active = excluded.active OR contracts.active",
            event.tenant_id, event.aggregate_id, e.coach_id, e.coachee_id, e.sponsor_id, active,
            e.terms.model_dump_json())

    async def on_contract_proposed(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._upsert(conn, event, event.of(eng.ContractProposed), False)

    async def on_contract_activated(self, conn: asyncpg.Connection,
                                    event: RecordedEvent) -> None:
        await self._upsert(conn, event, event.of(eng.ContractActivated), True)

    async def on_contract_ended(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await conn.execute("UPDATE contracts SET active = false, ended = true"
                           " WHERE tenant_id = $1 AND contract_id = $2",
                           event.tenant_id, event.aggregate_id)

    async def _session(self, conn: asyncpg.Connection, event: RecordedEvent,
                       e: eng.SessionScheduled | eng.SessionRescheduled) -> None:
        await conn.execute(
            "INSERT INTO sessions (tenant_id, session_id, contract_id, starts_at)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, session_id) DO UPDATE"
            " SET starts_at = excluded.starts_at",
            event.tenant_id, e.session_id, event.aggregate_id, e.starts_at)

    async def on_session_scheduled(self, conn: asyncpg.Connection,
                                   event: RecordedEvent) -> None:
        await self._session(conn, event, event.of(eng.SessionScheduled))

    async def on_session_rescheduled(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> None:
        await self._session(conn, event, event.of(eng.SessionRescheduled))

    async def on_message_sent(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.of(eng.MessageSent)
        if e.counted:
            await conn.execute(
                "INSERT INTO allowance_used (tenant_id, contract_id, month, used)"
                " VALUES ($1, $2, $3, 1) ON CONFLICT (tenant_id, contract_id, month)"
                " DO UPDATE SET used = allowance_used.used + 1",
                event.tenant_id, e.contract_id, e.month)
