"""The read models' questions the command handlers ask: eligibility, consents, slow mode."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from interlude.community.domain.space import Space
from interlude.shared import directory
from interlude.shared.sealing import Sealer


async def eligible_contract(pool: asyncpg.Pool, tenant_id: str, space: Space, space_id: str,
                            user_id: str) -> str | None:
    """The invitee's active contract with the space's coach that agrees community
    participation in this space (or in any of the coach's spaces); None if there is none."""
    return await pool.fetchval(
        "SELECT contract_id FROM contracts WHERE tenant_id = $1 AND coach_id = $2"
        " AND coachee_id = $3 AND active AND community"
        " AND (community_space IS NULL OR community_space = $4) LIMIT 1",
        tenant_id, space.coach_id, user_id, space_id)


async def consents(pool: asyncpg.Pool | asyncpg.Connection, tenant_id: str, space: Space,
                   user_id: str, consent: str) -> bool:
    """Whether ``user_id`` gives ``consent`` in ``space``: a coachee through their active
    contract with the space's coach; a coach in a peer circle (no contract) does."""
    if user_id == space.coach_id:
        return True
    if space.kind == "peer_circle":
        return True
    assert consent in ("pin_insights", "peer_tagging", "share_posts")
    given = await pool.fetchval(
        f"SELECT bool_or({consent}) FROM contracts WHERE tenant_id = $1 AND coach_id = $2"
        " AND coachee_id = $3 AND active", tenant_id, space.coach_id, user_id)
    return bool(given)


async def last_post_at(pool: asyncpg.Pool, tenant_id: str, space_id: str,
                       user_id: str) -> datetime | None:
    return await pool.fetchval(
        "SELECT max(published_at) FROM posts WHERE tenant_id = $1 AND author_id = $2"
        " AND space_id = $3", tenant_id, user_id, space_id)


async def display_name(pool: asyncpg.Pool, sealer: Sealer, tenant_id: str,
                       user_id: str) -> str | None:
    return await directory.name(pool, sealer, tenant_id, user_id)


async def has_role(pool: asyncpg.Pool, tenant_id: str, user_id: str, role: str) -> bool:
    return bool(await pool.fetchval(
        "SELECT $3 = ANY(roles) AND status = 'active' FROM people WHERE tenant_id = $1"
        " AND user_id = $2", tenant_id, user_id, role))
