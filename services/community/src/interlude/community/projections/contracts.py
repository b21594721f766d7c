"""engagement's contracts as community needs them, read from engagement's published events by
name and field (services share events, never code): who has an active contract with which
coach that agrees community participation (in which space), and the coachee's consents.

The consumer also acts on them (``Reactions``): a withdrawn pin consent unpins the coachee's
insights, and a contract that ends or stops agreeing community takes the coachee out of the
coach's spaces. Those commands are idempotent, so a redelivered event does no harm.
"""

from __future__ import annotations

from typing import Any, Protocol

import asyncpg

from interlude.shared.projections.base import Projection, RecordedEvent

NAME = "community-contracts"


class Reactions(Protocol):
    async def consent_withdrawn(self, conn: asyncpg.Connection, tenant_id: str, coach_id: str,
                                coachee_id: str, consent: str) -> None: ...

    async def community_closed(self, conn: asyncpg.Connection, tenant_id: str, coach_id: str,
                               coachee_id: str) -> None: ...


class Contracts(Projection):
    name = NAME
    tables = ("contracts",)

    def __init__(self, reactions: Reactions | None = None) -> None:
        super().__init__()
        self._reactions = reactions

    async def on_contract_activated(self, conn: asyncpg.Connection,
                                    event: RecordedEvent) -> None:
        p: dict[str, Any] = event.payload
        channels, consents = p["terms"].get("channels", {}), p.get("consents", {})
        community = bool(channels.get("community"))
        await conn.execute(
            "INSERT INTO contracts (tenant_id, contract_id, coach_id, coachee_id, active,"
            " community, community_space, pin_insights, peer_tagging, share_posts)"
            " VALUES ($1, $2, $3, $4, true, $5, $6, $7, $8, $9)"
            " ON CONFLICT (tenant_id, contract_id) DO UPDATE SET active = true,"
            " community = excluded.community, community_space = excluded.community_space,"
            " pin_insights = excluded.pin_insights, peer_tagging = excluded.peer_tagging,"
            " share_posts = excluded.share_posts",
            event.tenant_id, event.aggregate_id, p["coach_id"], p["coachee_id"], community,
            channels.get("community_space"), bool(consents.get("pin_insights")),
            bool(consents.get("peer_tagging")), bool(consents.get("share_posts")))
        if not community and self._reactions is not None:
            await self._reactions.community_closed(conn, event.tenant_id, p["coach_id"],
                                                   p["coachee_id"])

    async def _consent(self, conn: asyncpg.Connection, event: RecordedEvent,
                       given: bool) -> asyncpg.Record | None:
        consent = event.payload["consent"]
        if consent not in ("pin_insights", "peer_tagging", "share_posts"):
            return None
        return await conn.fetchrow(
            f"UPDATE contracts SET {consent} = $3 WHERE tenant_id = $1 AND contract_id = $2"
            " RETURNING coach_id, coachee_id", event.tenant_id, event.aggregate_id, given)

    async def on_consent_given(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._consent(conn, event, True)

    async def on_consent_withdrawn(self, conn: asyncpg.Connection,
                                   event: RecordedEvent) -> None:
        row = await self._consent(conn, event, False)
        if row is not None and self._reactions is not None:
            await self._reactions.consent_withdrawn(conn, event.tenant_id, row["coach_id"],
                                                    row["coachee_id"],
                                                    event.payload["consent"])

    async def on_contract_ended(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        row = await conn.fetchrow(
            "UPDATE contracts SET active = false WHERE tenant_id = $1 AND contract_id = $2"
            " RETURNING coach_id, coachee_id", event.tenant_id, event.aggregate_id)
        if row is not None and self._reactions is not None:
            await self._reactions.community_closed(conn, event.tenant_id, row["coach_id"],
                                                   row["coachee_id"])
