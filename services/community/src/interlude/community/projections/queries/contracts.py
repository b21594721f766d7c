"""engagement's contracts as community's read model holds them: eligibility, consents, and
what the reactions to a contract's change act on."""

from __future__ import annotations

from typing import Literal

import asyncpg

Db = asyncpg.Pool | asyncpg.Connection
Consent = Literal["pin_insights", "peer_tagging", "share_posts"]


async def eligible_contract(db: Db, tenant_id: str, coach_id: str, space_id: str,
                            user_id: str) -> str | None:
    """The invitee's active contract with the coach that agrees community participation in
    this space (or in any of the coach's spaces); None if there is none."""
    return await db.fetchval(
        "SELECT contract_id FROM contracts WHERE tenant_id = $1 AND coach_id = $2"
        " AND coachee_id = $3 AND active AND community"
        " AND (community_space IS NULL OR community_space = $4) LIMIT 1",
        tenant_id, coach_id, user_id, space_id)


async def gives_consent(db: Db, tenant_id: str, coach_id: str, coachee_id: str,
                        consent: Consent) -> bool:
    """Whether an active contract of the coachee with this coach gives ``consent``."""
    assert consent in ("pin_insights", "peer_tagging", "share_posts")  # a column name
    given = await db.fetchval(
        f"SELECT bool_or({consent}) FROM contracts WHERE tenant_id = $1 AND coach_id = $2"
        " AND coachee_id = $3 AND active", tenant_id, coach_id, coachee_id)
    return bool(given)


async def contract_parties(db: Db, tenant_id: str, contract_id: str) -> tuple[str, str] | None:
    """(coach, coachee) of a contract community has seen activated."""
    row = await db.fetchrow("SELECT coach_id, coachee_id FROM contracts WHERE tenant_id = $1"
                            " AND contract_id = $2", tenant_id, contract_id)
    return None if row is None else (row["coach_id"], row["coachee_id"])


async def agrees_community(db: Db, tenant_id: str, coach_id: str, coachee_id: str) -> bool:
    """Whether any active contract between them still agrees community participation."""
    return bool(await db.fetchval(
        "SELECT count(*) FROM contracts WHERE tenant_id = $1 AND coach_id = $2"
        " AND coachee_id = $3 AND active AND community", tenant_id, coach_id, coachee_id))


async def pinned_posts_of(db: Db, tenant_id: str, coach_id: str, author_id: str) -> list[str]:
    """The author's posts pinned as insights in the coach's spaces."""
    rows = await db.fetch(
        "SELECT p.post_id FROM posts p JOIN spaces s USING (tenant_id, space_id)"
        " WHERE p.tenant_id = $1 AND s.coach_id = $2 AND p.author_id = $3"
        " AND p.pinned_at IS NOT NULL", tenant_id, coach_id, author_id)
    return [r["post_id"] for r in rows]


async def cohorts_holding(db: Db, tenant_id: str, coach_id: str, user_id: str) -> list[str]:
    """The coach's cohorts the person is invited to or has joined."""
    rows = await db.fetch(
        "SELECT m.space_id FROM members m JOIN spaces s USING (tenant_id, space_id)"
        " WHERE m.tenant_id = $1 AND s.coach_id = $2 AND m.user_id = $3"
        " AND s.kind = 'cohort' AND m.status IN ('invited', 'joined')",
        tenant_id, coach_id, user_id)
    return [r["space_id"] for r in rows]
