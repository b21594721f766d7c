"""engagement's contracts as community needs them, read from engagement's published events by
name and field (services share events, never code: :mod:`.engagement_events`): who has an
active contract with which coach that agrees community participation (in which space), and
the coachee's consents.

What community does when they change is not done here but in ``app/reactions.py``, a consumer
of its own that waits for this read model to have seen the event.
"""

from __future__ import annotations

import asyncpg

from interlude.community.projections import engagement_events as eng
from interlude.shared.projections.base import Projection, RecordedEvent

NAME = "community-contracts"


class Contracts(Projection):
    name = NAME
    tables = ("contracts",)
    reads = (eng.engagement,)
    handles = tuple(eng.engagement.names())

    async def on_contract_activated(self, conn: asyncpg.Connection,
                                    event: RecordedEvent) -> None:
        p = event.of(eng.ContractActivated)
        channels, consents = p.terms.channels, p.consents
        await conn.execute(
            "INSERT INTO contracts (tenant_id, contract_id, coach_id, coachee_id, active,"
            " community, community_space, pin_insights, peer_tagging, share_posts,"
            " counted_when_quiet) VALUES ($1, $2, $3, $4, true, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT (tenant_id, contract_id) DO UPDATE SET active = true,"
            " community = excluded.community, community_space = excluded.community_space,"
            " pin_insights = excluded.pin_insights, peer_tagging = excluded.peer_tagging,"
            " share_posts = excluded.share_posts,"
            " counted_when_quiet = excluded.counted_when_quiet",
            event.tenant_id, event.aggregate_id, p.coach_id, p.coachee_id, channels.community,
            channels.community_space, consents.pin_insights, consents.peer_tagging,
            consents.share_posts, consents.counted_when_quiet)

    async def _consent(self, conn: asyncpg.Connection, event: RecordedEvent,
                       given: bool) -> None:
        e = event.event
        assert isinstance(e, eng.ConsentGiven | eng.ConsentWithdrawn)
        consent = e.consent
        if consent in ("pin_insights", "peer_tagging", "share_posts",
                       "counted_when_quiet"):  # a column name
            await conn.execute(
                f"UPDATE contracts SET {consent} = $3 WHERE tenant_id = $1"
                " AND contract_id = $2", event.tenant_id, event.aggregate_id, given)

    async def on_consent_given(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._consent(conn, event, True)

    async def on_consent_withdrawn(self, conn: asyncpg.Connection,
                                   event: RecordedEvent) -> None:
        await self._consent(conn, event, False)

    async def on_contract_ended(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await conn.execute(
            "UPDATE contracts SET active = false WHERE tenant_id = $1 AND contract_id = $2",
            event.tenant_id, event.aggregate_id)
