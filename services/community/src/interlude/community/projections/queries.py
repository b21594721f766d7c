"""Every SQL question community's app layer asks of its read models: engagement's contracts
(eligibility, consents, what a reaction acts on), who is in a space, the caller's spaces, the
moderation queue, rehearsals, and the feed. Rows come back as stored, content sealed:
the app layer opens what the reader may see and records the access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeAlias

import asyncpg

Db: TypeAlias = asyncpg.Pool | asyncpg.Connection
Consent = Literal["pin_insights", "peer_tagging", "share_posts"]


# -- engagement's contracts ----------------------------------------------------------------

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


async def coachees_in_community(db: Db, tenant_id: str, coach_id: str) -> int:
    """How many active contracts of the coach agree community participation."""
    return int(await db.fetchval(
        "SELECT count(*) FROM contracts WHERE tenant_id = $1 AND coach_id = $2"
        " AND active AND community", tenant_id, coach_id))


# -- members -------------------------------------------------------------------------------

async def space_and_members(db: Db, tenant_id: str,
                            space_id: str) -> tuple[asyncpg.Record | None, list[asyncpg.Record]]:
    """The space's row and its members' rows, each with the member's sealed display name."""
    space = await db.fetchrow("SELECT * FROM spaces WHERE tenant_id = $1 AND space_id = $2",
                              tenant_id, space_id)
    if space is None:
        return None, []
    rows = await db.fetch(
        "SELECT m.user_id, m.handle, m.pseudonym, m.status, m.role, m.revealed,"
        " m.open_to_all, m.open_to, m.read_up_to, m.home_tenant, p.display_name FROM members m"
        " LEFT JOIN people p"
        " USING (tenant_id, user_id) WHERE m.tenant_id = $1 AND m.space_id = $2",
        tenant_id, space_id)
    return space, rows


async def last_post_at(db: Db, tenant_id: str, space_id: str, user_id: str) -> datetime | None:
    return await db.fetchval(
        "SELECT max(published_at) FROM posts WHERE tenant_id = $1 AND author_id = $2"
        " AND space_id = $3", tenant_id, user_id, space_id)


async def has_role(db: Db, tenant_id: str, user_id: str, role: str) -> bool:
    return bool(await db.fetchval(
        "SELECT $3 = ANY(roles) AND status = 'active' FROM people WHERE tenant_id = $1"
        " AND user_id = $2", tenant_id, user_id, role))


# -- spaces, moderation, rehearsals -----------------------------------------------------

async def spaces_of(db: Db, tenant_id: str, user_id: str) -> list[asyncpg.Record]:
    """The spaces the person holds, belongs to or is invited to, newest first: circles of
    other organisations they are a guest in too (ADR 0015)."""
    return await db.fetch(
        "SELECT s.space_id, s.name, s.description, s.kind, s.pseudonymous, s.slow_mode_s,"
        " m.status, m.role, (SELECT count(*) FROM members x WHERE x.tenant_id = s.tenant_id"
        " AND x.space_id = s.space_id AND x.status = 'joined') AS members"
        " FROM members m JOIN spaces s USING (tenant_id, space_id)"
        " WHERE (m.tenant_id = $1 OR m.home_tenant = $1) AND m.user_id = $2"
        " AND m.status IN ('invited', 'joined')"
        " ORDER BY s.created_at DESC", tenant_id, user_id)


async def reported(db: Db, tenant_id: str, space_id: str) -> list[asyncpg.Record]:
    """Reported or hidden posts, with the reports filed (``filed``: JSON, reasons sealed)."""
    return await db.fetch(
        "SELECT p.post_id, p.author_id, p.hidden, p.hidden_by, p.reports, p.body,"
        " coalesce((SELECT json_agg(json_build_object('reporter', r.reporter_id,"
        " 'reason', r.reason, 'at', r.at) ORDER BY r.at) FROM reports r"
        " WHERE r.tenant_id = p.tenant_id AND r.post_id = p.post_id), '[]') AS filed"
        " FROM posts p WHERE p.tenant_id = $1 AND p.space_id = $2 AND NOT p.withdrawn"
        " AND (p.reports > 0 OR p.hidden) ORDER BY p.hidden DESC, p.reports DESC",
        tenant_id, space_id)


async def rehearsals_for(db: Db, tenant_id: str, space_id: str,
                         user_id: str) -> list[asyncpg.Record]:
    """The person's own rehearsals in the space, and those they are the coach of."""
    return await db.fetch(
        "SELECT * FROM rehearsals WHERE tenant_id = $1 AND space_id = $2"
        " AND (author_id = $3 OR coach_id = $3) ORDER BY updated_at DESC",
        tenant_id, space_id, user_id)


async def rehearsal(db: Db, tenant_id: str, rehearsal_id: str) -> asyncpg.Record | None:
    return await db.fetchrow("SELECT * FROM rehearsals WHERE tenant_id = $1"
                             " AND rehearsal_id = $2", tenant_id, rehearsal_id)


# -- the feed and a post -------------------------------------------------------------------

POST_COLUMNS = """p.post_id, p.author_id, p.kind, p.body, p.hidden, p.hidden_by, p.pinned_at,
    p.pin_note, p.comments, p.shares, p.reactions, p.rehearsal_id, p.published_at,
    p.edited_at, p.feed_at,
    (SELECT array_agg(r.reaction) FROM reactions r WHERE r.tenant_id = p.tenant_id
        AND r.post_id = p.post_id AND r.user_id = $3) AS mine,
    (SELECT array_agg(t.tagged_id) FROM tags t WHERE t.tenant_id = p.tenant_id
        AND t.post_id = p.post_id) AS tagged,
    (SELECT array_agg(s.shared_by) FROM shares s WHERE s.tenant_id = p.tenant_id
        AND s.post_id = p.post_id) AS shared_by"""
VISIBLE = "NOT p.withdrawn AND (NOT p.hidden OR p.author_id = $3 OR $4)"


@dataclass(frozen=True)
class FeedPage:
    rows: list[asyncpg.Record]
    pinned: list[asyncpg.Record]
    unread: int


async def feed_page(pool: asyncpg.Pool, tenant_id: str, space_id: str, reader: str,
                    reader_is_coach: bool, *, limit: int, after: tuple[datetime, str] | None,
                    unread_cap: int, read_up_to: datetime | None) -> FeedPage:
    """Newest first from ``after`` (a cursor's position); the pinned insights on the first
    page only; the reader's unread count (others' posts since they marked the feed read,
    ``read_up_to``, at most ``unread_cap``)."""
    args: list[Any] = [tenant_id, space_id, reader, reader_is_coach, limit]
    page_filter = ""
    if after is not None:
        page_filter = " AND (p.feed_at, p.post_id) < ($6, $7)"
        args += list(after)
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT {POST_COLUMNS} FROM posts p WHERE p.tenant_id = $1 AND p.space_id = $2"
            f" AND {VISIBLE} AND p.pinned_at IS NULL{page_filter}"
            " ORDER BY p.feed_at DESC, p.post_id DESC LIMIT $5", *args)
        pinned = [] if after is not None else await conn.fetch(
            f"SELECT {POST_COLUMNS} FROM posts p WHERE p.tenant_id = $1 AND p.space_id = $2"
            f" AND {VISIBLE} AND p.pinned_at IS NOT NULL ORDER BY p.pinned_at DESC LIMIT $5",
            *args[:5])
        # a reader who has read the feed: newest first along posts_feed down to their mark,
        # not a scan of the space's whole history for the few posts after it; one who never
        # has: any posts will do, the first ``unread_cap`` found end it
        mark = read_up_to or datetime.min.replace(tzinfo=UTC)
        newest_first = " ORDER BY feed_at DESC, post_id DESC" if mark.year > 1 else ""
        unread = await conn.fetchval(
            "SELECT count(*) FROM (SELECT 1 FROM posts WHERE tenant_id = $1 AND space_id = $2"
            " AND feed_at > $3 AND author_id <> $4 AND NOT withdrawn AND NOT hidden"
            f"{newest_first} LIMIT $5) u",
            tenant_id, space_id, mark, reader, unread_cap)
    return FeedPage(list(rows), list(pinned), int(unread))


async def post_with_comments(pool: asyncpg.Pool, tenant_id: str, space_id: str, reader: str,
                             reader_is_coach: bool, post_id: str
                             ) -> tuple[asyncpg.Record | None, list[asyncpg.Record]]:
    """The post (None when the reader may not see it) and its comments, oldest first."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            f"SELECT {POST_COLUMNS} FROM posts p WHERE p.tenant_id = $1 AND p.space_id = $2"
            f" AND p.post_id = $5 AND {VISIBLE}", tenant_id, space_id, reader,
            reader_is_coach, post_id)
        if row is None:
            return None, []
        comments = await conn.fetch(
            "SELECT comment_id, author_id, parent_id, body, created_at FROM comments"
            " WHERE tenant_id = $1 AND post_id = $2 AND NOT withdrawn ORDER BY created_at",
            tenant_id, post_id)
    return row, list(comments)


async def of_person(pool: asyncpg.Pool, tenant_id: str,
                    user_id: str) -> dict[str, list[asyncpg.Record]]:
    """Everything community keeps that is ``user_id``'s own (subject access): their
    memberships, posts, comments, reactions, shares, reports and rehearsals, and the posts they
    were tagged in. Never who else is in a space, who reacted, or who tagged them."""
    t, u = tenant_id, user_id
    queries = {
        "memberships": ("SELECT s.space_id, s.name, s.kind, s.pseudonymous, m.handle,"
                        " m.pseudonym, m.role, m.status, m.revealed, m.joined_at FROM members m"
                        " JOIN spaces s USING (tenant_id, space_id) WHERE m.tenant_id = $1"
                        " AND m.user_id = $2 ORDER BY m.joined_at NULLS LAST"),
        "posts": ("SELECT post_id, space_id, kind, body, withdrawn, hidden, pinned_at,"
                  " pin_note, comments, shares, reactions, published_at, edited_at FROM posts"
                  " WHERE tenant_id = $1 AND author_id = $2 ORDER BY published_at"),
        "comments": ("SELECT comment_id, post_id, space_id, body, withdrawn, created_at"
                     " FROM comments WHERE tenant_id = $1 AND author_id = $2"
                     " ORDER BY created_at"),
        "reactions": ("SELECT post_id, reaction FROM reactions WHERE tenant_id = $1"
                      " AND user_id = $2 ORDER BY post_id, reaction"),
        "shares": ("SELECT post_id, at FROM shares WHERE tenant_id = $1 AND shared_by = $2"
                   " ORDER BY at"),
        "tagged_in": ("SELECT post_id, at FROM tags WHERE tenant_id = $1 AND tagged_id = $2"
                      " ORDER BY at"),
        "reports": ("SELECT post_id, reason, at FROM reports WHERE tenant_id = $1"
                    " AND reporter_id = $2 ORDER BY at"),
        "rehearsals": ("SELECT rehearsal_id, space_id, kind, body, feedback, status, post_id,"
                       " updated_at FROM rehearsals WHERE tenant_id = $1 AND author_id = $2"
                       " ORDER BY updated_at"),
    }
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                       readonly=True):
        return {name: await conn.fetch(sql, t, u) for name, sql in queries.items()}


async def circles(db: Db, tenant_id: str, viewer: str, *, challenge: str | None,
                  methodology: str | None, text: str | None, limit: int,
                  elsewhere: list[str] | None = None) -> list[asyncpg.Record]:
    """The organisation's findable peer circles matching what a coach looks for (each term
    a case-insensitive part of the field; a challenge of any of the circle's), and the
    pseudonymous ones of the organisations ``elsewhere``, the biggest first, with how many
    have joined and the viewer's own status in each (None: not in it)."""
    return await db.fetch(
        "SELECT s.space_id, s.name, s.description, s.methodology, s.challenges, s.context,"
        " s.pseudonymous, s.tenant_id <> $1 AS elsewhere,"
        " (SELECT count(*) FROM members x WHERE x.tenant_id = s.tenant_id"
        " AND x.space_id = s.space_id AND x.status = 'joined') AS members,"
        " (SELECT m.status FROM members m WHERE m.tenant_id = s.tenant_id"
        " AND m.space_id = s.space_id AND m.user_id = $2) AS you"
        " FROM spaces s WHERE (s.tenant_id = $1 OR (s.tenant_id = ANY($6::text[])"
        "      AND s.pseudonymous)) AND s.findable AND s.kind = 'peer_circle'"
        " AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM unnest(s.challenges) c"
        "      WHERE c ILIKE '%' || $3 || '%'))"
        " AND ($4::text IS NULL OR s.methodology ILIKE '%' || $4 || '%')"
        " AND ($5::text IS NULL OR s.name ILIKE '%' || $5 || '%'"
        "      OR s.description ILIKE '%' || $5 || '%' OR s.context ILIKE '%' || $5 || '%')"
        f" ORDER BY members DESC, s.created_at DESC LIMIT {int(limit)}",
        tenant_id, viewer, challenge, methodology, text, elsewhere or [])


async def join_requests(db: Db, tenant_id: str, space_id: str) -> list[asyncpg.Record]:
    """Coaches asking to join the circle, oldest first, with their sealed notes and names."""
    return await db.fetch(
        "SELECT m.user_id, m.handle, m.request_note, m.asked_at, m.home_tenant, p.display_name"
        " FROM members m LEFT JOIN people p USING (tenant_id, user_id)"
        " WHERE m.tenant_id = $1 AND m.space_id = $2 AND m.status = 'asked'"
        " ORDER BY m.asked_at", tenant_id, space_id)


async def quiet_members(db: Db, tenant_id: str, space_id: str,
                        since: datetime) -> list[asyncpg.Record]:
    """Members of a cohort who read it since ``since`` (marked the feed read) without posting,
    commenting or reacting since then, and whose contract with the space's coach lets them be
    counted (engagement's consent ``counted_when_quiet``)."""
    return await db.fetch(
        "SELECT m.user_id, m.handle, m.read_up_to, m.last_active_at, m.quiet_invited_at"
        " FROM members m JOIN spaces s USING (tenant_id, space_id)"
        " WHERE m.tenant_id = $1 AND m.space_id = $2 AND s.kind = 'cohort'"
        " AND m.status = 'joined' AND m.role = 'member' AND m.read_up_to >= $3"
        " AND (m.last_active_at IS NULL OR m.last_active_at < $3)"
        " AND EXISTS (SELECT 1 FROM contracts c WHERE c.tenant_id = m.tenant_id"
        "     AND c.coachee_id = m.user_id AND c.coach_id = s.coach_id AND c.active)"
        " AND NOT EXISTS (SELECT 1 FROM contracts c WHERE c.tenant_id = m.tenant_id"
        "     AND c.coachee_id = m.user_id AND c.coach_id = s.coach_id AND c.active"
        "     AND NOT c.counted_when_quiet)"
        " ORDER BY m.read_up_to DESC", tenant_id, space_id, since)
