"""Sponsor figures: per contract with a sponsor, only the facts its sponsor view allows
(attendance; goals), never content; totalled per programme as the rows are written
(``sponsor_programmes``), suppressed below five people at query time."""

from __future__ import annotations

import asyncpg

from interlude.engagement.domain import events as ev
from interlude.shared.projections.base import Projection, RecordedEvent

NAME = "engagement-sponsor"


class SponsorFigures(Projection):
    name = NAME
    # the programmes' totals are kept by a trigger on sponsor_contracts (migration 0006)
    tables = ("sponsor_contracts", "sponsor_programmes", "sponsor_programme_people")
    reads = (ev.registry,)
    handles = tuple(t.type_name for t in (
        ev.ContractActivated, ev.ContractEnded, ev.SessionHeld, ev.SessionCancelled,
        ev.GoalSet, ev.GoalClosed))

    async def _row(self, conn: asyncpg.Connection, event: RecordedEvent, contract_id: str,
                   sql: str, *args: object) -> None:
        await conn.execute(f"UPDATE sponsor_contracts SET {sql} WHERE tenant_id = $1"
                           " AND contract_id = $2", event.tenant_id, contract_id, *args)

    async def on_contract_activated(self, conn: asyncpg.Connection,
                                    event: RecordedEvent) -> None:
        p = event.of(ev.ContractActivated)
        if not p.sponsor_id:
            return
        await conn.execute(
            "INSERT INTO sponsor_contracts (tenant_id, contract_id, sponsor_id, coachee_id,"
            " programme, sponsor_view, status, sessions_planned)"
            " VALUES ($1, $2, $3, $4, $5, $6, 'active', $7) ON CONFLICT (tenant_id, contract_id)"
            " DO UPDATE SET programme = excluded.programme,"
            " sponsor_view = excluded.sponsor_view, sessions_planned = excluded.sessions_planned",
            event.tenant_id, event.aggregate_id, p.sponsor_id, p.coachee_id, p.terms.programme,
            p.terms.sponsor_view, p.terms.sessions.count)

    async def on_contract_ended(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._row(conn, event, event.aggregate_id, "status = 'ended'")

    async def on_session_held(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._row(conn, event, event.aggregate_id, "sessions_held = sessions_held + 1")

    async def on_session_cancelled(self, conn: asyncpg.Connection,
                                   event: RecordedEvent) -> None:
        if event.of(ev.SessionCancelled).party == "coachee":
            await self._row(conn, event, event.aggregate_id,
                            "sessions_missed = sessions_missed + 1")

    async def on_goal_set(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._row(conn, event, event.of(ev.GoalSet).contract_id,
                        "goals_set = goals_set + 1")

    async def on_goal_closed(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.GoalClosed)
        if p.outcome == "achieved":
            await self._row(conn, event, p.contract_id, "goals_achieved = goals_achieved + 1")
