"""What community does when engagement's contracts change (the consumer of ``contracts.py``
calls these): a withdrawn pin consent unpins the coachee's insights at once; a contract that
ends, or stops agreeing community participation, takes the coachee out of the coach's spaces.

They act as the system, caused by engagement's event, and are idempotent: after a crash the
redelivered event finds nothing left to do. A consent withdrawal is honoured even while the
organisation has switched community off: the coachee's choice comes first.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from interlude.community.domain import post as post_domain
from interlude.community.domain import space as space_domain
from interlude.community.domain.post import Post
from interlude.community.domain.space import Space
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.eventstore.repository import Repository
from interlude.shared.ids import new_id

SYSTEM = Actor.system("community")


class ContractReactions:
    def __init__(self, spaces: Repository[Space], posts: Repository[Post]) -> None:
        self._spaces = spaces
        self._posts = posts

    def _ctx(self, tenant_id: str) -> CommandContext:
        return CommandContext(tenant_id=tenant_id, actor=SYSTEM, now=datetime.now(UTC),
                              correlation_id=new_id())

    async def consent_withdrawn(self, conn: asyncpg.Connection, tenant_id: str, coach_id: str,
                                coachee_id: str, consent: str) -> None:
        if consent != "pin_insights":
            return  # tags and shares already made stay; new ones are refused
        pinned = await conn.fetch(
            "SELECT p.post_id FROM posts p JOIN spaces s USING (tenant_id, space_id)"
            " WHERE p.tenant_id = $1 AND s.coach_id = $2 AND p.author_id = $3"
            " AND p.pinned_at IS NOT NULL", tenant_id, coach_id, coachee_id)
        ctx = self._ctx(tenant_id)
        for row in pinned:
            await self._posts.execute(
                tenant_id, row["post_id"],
                lambda p: post_domain.unpin(p, "consent_withdrawn"), ctx)

    async def community_closed(self, conn: asyncpg.Connection, tenant_id: str, coach_id: str,
                               coachee_id: str) -> None:
        still = await conn.fetchval(
            "SELECT count(*) FROM contracts WHERE tenant_id = $1 AND coach_id = $2"
            " AND coachee_id = $3 AND active AND community", tenant_id, coach_id, coachee_id)
        if still:
            return
        spaces = await conn.fetch(
            "SELECT m.space_id FROM members m JOIN spaces s USING (tenant_id, space_id)"
            " WHERE m.tenant_id = $1 AND s.coach_id = $2 AND m.user_id = $3"
            " AND s.kind = 'cohort' AND m.status IN ('invited', 'joined')",
            tenant_id, coach_id, coachee_id)
        ctx = self._ctx(tenant_id)
        for row in spaces:
            await self._spaces.execute(
                tenant_id, row["space_id"],
                lambda s: space_domain.leave(s, SYSTEM.id, coachee_id, "contract_ended"), ctx)
