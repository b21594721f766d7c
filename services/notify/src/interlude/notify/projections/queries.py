"""Every SELECT notify's app asks of its read models. Rows come back as stored: sealed values
stay sealed until a reader's query opens them (``app/reads.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeAlias

import asyncpg

Db: TypeAlias = asyncpg.Pool | asyncpg.Connection


# -- who is told: people, contracts, spaces -----------------------------------------------

async def people_with_role(db: Db, tenant_id: str, role: str) -> list[str]:
    rows = await db.fetch("SELECT user_id FROM people WHERE tenant_id = $1 AND status = 'active'"
                          " AND $2 = ANY(roles)", tenant_id, role)
    return [r["user_id"] for r in rows]


async def contract(db: Db, tenant_id: str, contract_id: str) -> asyncpg.Record | None:
    """The parties and terms (``terms``: JSON text) of a contract notify has seen."""
    return await db.fetchrow(
        "SELECT coach_id, coachee_id, sponsor_id, active, ended, terms::text AS terms"
        " FROM contracts WHERE tenant_id = $1 AND contract_id = $2", tenant_id, contract_id)


async def allowances_used(db: Db, wanted: set[tuple[str, str, str]]
                          ) -> dict[tuple[str, str, str], int]:
    """The coach replies counted in each (tenant, contract, month), those with any."""
    rows = await db.fetch(
        "SELECT a.tenant_id, a.contract_id, a.month, used FROM allowance_used a"
        " JOIN unnest($1::text[], $2::text[], $3::text[]) AS w(tenant_id, contract_id, month)"
        " USING (tenant_id, contract_id, month)",
        [t for t, _, _ in wanted], [c for _, c, _ in wanted], [m for _, _, m in wanted])
    return {(r["tenant_id"], r["contract_id"], r["month"]): int(r["used"]) for r in rows}


async def session(db: Db, tenant_id: str, session_id: str) -> asyncpg.Record | None:
    return await db.fetchrow("SELECT contract_id, starts_at FROM sessions WHERE tenant_id = $1"
                             " AND session_id = $2", tenant_id, session_id)


async def space(db: Db, tenant_id: str, space_id: str) -> asyncpg.Record | None:
    return await db.fetchrow("SELECT coach_id, name, pseudonymous FROM spaces"
                             " WHERE tenant_id = $1 AND space_id = $2", tenant_id, space_id)


async def pseudonym(db: Db, tenant_id: str, space_id: str, user_id: str) -> str | None:
    value: str | None = await db.fetchval(
        "SELECT pseudonym FROM members WHERE tenant_id = $1 AND space_id = $2"
        " AND user_id = $3", tenant_id, space_id, user_id)
    return value


async def post_author(db: Db, tenant_id: str, post_id: str) -> str | None:
    value: str | None = await db.fetchval(
        "SELECT author_id FROM posts WHERE tenant_id = $1 AND post_id = $2", tenant_id, post_id)
    return value


async def comment_author(db: Db, tenant_id: str, comment_id: str) -> str | None:
    value: str | None = await db.fetchval(
        "SELECT author_id FROM comments WHERE tenant_id = $1 AND comment_id = $2",
        tenant_id, comment_id)
    return value


async def contracts(db: Db, wanted: set[tuple[str, str]]
                    ) -> dict[tuple[str, str], asyncpg.Record]:
    """:func:`contract` for many (tenant, contract) pairs at once."""
    rows = await db.fetch(
        "SELECT c.tenant_id, c.contract_id, coach_id, coachee_id, sponsor_id, active, ended,"
        " terms::text AS terms FROM contracts c JOIN unnest($1::text[], $2::text[])"
        " AS w(tenant_id, contract_id) USING (tenant_id, contract_id)",
        [t for t, _ in wanted], [c for _, c in wanted])
    return {(r["tenant_id"], r["contract_id"]): r for r in rows}


async def overdue_pending(db: Db, wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these contracts have an overdue notice still to fire."""
    rows = await db.fetch(
        "SELECT DISTINCT d.tenant_id, d.payload->>'contract_id' AS contract_id FROM due_work d"
        " JOIN unnest($1::text[], $2::text[]) AS w(tenant_id, contract_id)"
        " ON d.tenant_id = w.tenant_id AND d.payload->>'contract_id' = w.contract_id"
        " WHERE d.kind = 'reminder' AND d.done_at IS NULL AND d.cancelled_at IS NULL"
        " AND d.payload->>'kind' = 'reply_overdue'",
        [t for t, _ in wanted], [c for _, c in wanted])
    return {(r["tenant_id"], r["contract_id"]) for r in rows}


# -- the inbox ----------------------------------------------------------------------------

INBOX_COLUMNS = ("notification_id, seq, kind, cause_type, occurred_at, actor_id,"
                 " actor_pseudonym, contract_id, space_id, item_id, link, topic, excerpt,"
                 " read_at")


async def inbox_page(db: Db, tenant_id: str, recipient_id: str, *, limit: int,
                     before: int | None = None, unread_only: bool = False
                     ) -> list[asyncpg.Record]:
    """Newest first, from below ``before`` (a keyset cursor: the last ``seq`` seen)."""
    return await db.fetch(
        f"SELECT {INBOX_COLUMNS} FROM inbox WHERE tenant_id = $1 AND recipient_id = $2"
        " AND ($3::bigint IS NULL OR seq < $3) AND (NOT $4 OR read_at IS NULL)"
        " ORDER BY seq DESC LIMIT $5", tenant_id, recipient_id, before, unread_only, limit)


async def inbox_since(db: Db, tenant_id: str, recipient_id: str, after: int,
                      limit: int = 100) -> list[asyncpg.Record]:
    """Oldest first after ``after`` (what a live stream has not sent yet)."""
    return await db.fetch(
        f"SELECT {INBOX_COLUMNS} FROM inbox WHERE tenant_id = $1 AND recipient_id = $2"
        " AND seq > $3 ORDER BY seq LIMIT $4", tenant_id, recipient_id, after, limit)


async def latest_seq(db: Db, tenant_id: str, recipient_id: str) -> int:
    return int(await db.fetchval(
        "SELECT max(seq) FROM inbox WHERE tenant_id = $1 AND recipient_id = $2",
        tenant_id, recipient_id) or 0)


async def unread_count(db: Db, tenant_id: str, recipient_id: str) -> int:
    """Kept as the inbox is written (migration 0004): one row, however long the inbox."""
    return int(await db.fetchval(
        "SELECT coalesce((SELECT unread FROM inbox_unread_counts WHERE tenant_id = $1"
        " AND recipient_id = $2), 0)", tenant_id, recipient_id))


async def unread_ids(db: Db, tenant_id: str, recipient_id: str,
                     limit: int = 1000) -> list[str]:
    rows = await db.fetch(
        "SELECT notification_id FROM inbox WHERE tenant_id = $1 AND recipient_id = $2"
        " AND read_at IS NULL ORDER BY seq LIMIT $3", tenant_id, recipient_id, limit)
    return [r["notification_id"] for r in rows]


async def space_names(db: Db, tenant_id: str, space_ids: set[str]) -> dict[str, str]:
    rows = await db.fetch("SELECT space_id, name FROM spaces WHERE tenant_id = $1"
                          " AND space_id = ANY($2::text[])", tenant_id, list(space_ids))
    return {r["space_id"]: r["name"] for r in rows}


async def cohort_content_stays(db: Db, tenant_id: str, people: list[str]) -> bool:
    """Whether one of ``people`` has an active contract whose word on outside platforms keeps
    cohort content inside Interlude (``cohort_posts_stay_inside``, true unless agreed
    otherwise, and for terms older than the clause)."""
    return bool(await db.fetchval(
        "SELECT EXISTS (SELECT 1 FROM contracts WHERE tenant_id = $1 AND active"
        " AND (coachee_id = ANY($2::text[]) OR coach_id = ANY($2::text[]))"
        " AND coalesce((terms->'outside_platforms'->>'cohort_posts_stay_inside')::boolean,"
        " true))", tenant_id, people))


async def of_person(db: asyncpg.Pool, tenant_id: str, user_id: str) -> dict[str, Any]:
    """What notify keeps about ``user_id`` (subject access): their inbox and their
    preferences."""
    async with db.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                     readonly=True):
        inbox = await conn.fetch(
            "SELECT kind, occurred_at, actor_pseudonym, link, topic, excerpt, read_at"
            " FROM inbox WHERE tenant_id = $1 AND recipient_id = $2 ORDER BY seq",
            tenant_id, user_id)
        preferences = await conn.fetchrow(
            "SELECT email, quiet_hours, time_zone, digest_hour FROM preferences"
            " WHERE tenant_id = $1 AND user_id = $2", tenant_id, user_id)
    return {"inbox": inbox, "preferences": preferences}


async def expired_before(conn: asyncpg.Connection, tenant_ids: list[str]) -> dict[str, datetime]:
    """Per organisation, the age before which its notifications were removed."""
    return {r["tenant_id"]: r["expired_before"] for r in await conn.fetch(
        "SELECT tenant_id, expired_before FROM retention WHERE tenant_id = ANY($1)",
        tenant_ids)}
