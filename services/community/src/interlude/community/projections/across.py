"""What community asks of its read models about peer circles across organisations (ADR 0015):
where a circle of another organisation lives, which organisations allow circles across
organisations (community's copy of their policies), and a guest coach forgotten."""

from __future__ import annotations

from typing import TypeAlias

import asyncpg

from interlude.shared.sealing import Sealer

Db: TypeAlias = asyncpg.Pool | asyncpg.Connection
KEY = "community.circles_across_organisations"
_ALLOWS = f"(t.policy->>'{KEY}')::boolean"


async def host_of(db: Db, tenant_id: str, space_id: str,
                  user_id: str) -> asyncpg.Record | None:
    """The organisation of ``space_id`` when it is a pseudonymous peer circle of another
    organisation that allows circles across organisations, and whether ``user_id`` (of
    ``tenant_id``) asked to join it, is invited or in it (``member``); None otherwise. A
    circle is reachable from elsewhere while it is findable, or by those already in it."""
    return await db.fetchrow(
        "SELECT s.tenant_id, m.status IS NOT NULL AS member FROM spaces s"
        " JOIN trust_policies t ON t.tenant_id = s.tenant_id AND " + _ALLOWS +
        " LEFT JOIN members m ON m.tenant_id = s.tenant_id AND m.space_id = s.space_id"
        "      AND m.user_id = $3 AND m.home_tenant = $1"
        "      AND m.status IN ('asked', 'invited', 'joined')"
        " WHERE s.space_id = $2 AND s.tenant_id <> $1 AND s.kind = 'peer_circle'"
        " AND s.pseudonymous AND (s.findable OR m.status IS NOT NULL)",
        tenant_id, space_id, user_id)


async def is_guest(db: Db, tenant_id: str, space_id: str, user_id: str) -> bool:
    return bool(await db.fetchval(
        "SELECT home_tenant IS NOT NULL FROM members WHERE tenant_id = $1 AND space_id = $2"
        " AND user_id = $3", tenant_id, space_id, user_id))


async def allowing(db: Db, but: str) -> list[str]:
    """The other organisations whose policy allows circles across organisations."""
    rows = await db.fetch(f"SELECT t.tenant_id FROM trust_policies t WHERE {_ALLOWS}"
                          " AND t.tenant_id <> $1", but)
    return [r["tenant_id"] for r in rows]


async def forget_guest(conn: asyncpg.Connection, sealer: Sealer, tenant_id: str,
                       subject_id: str) -> None:
    """A coach of ``tenant_id`` forgotten there: in the circles of other organisations too,
    they become "former member", their content goes, and their key in each such organisation
    (what they wrote there was sealed under it) is destroyed."""
    hosts = [r["tenant_id"] for r in await conn.fetch(
        "SELECT DISTINCT tenant_id FROM members WHERE user_id = $1 AND home_tenant = $2",
        subject_id, tenant_id)]
    for host in hosts:
        args = (host, subject_id)
        await conn.execute("UPDATE members SET pseudonym = NULL, status = 'forgotten',"
                           " request_note = NULL, open_to = '{}', open_to_all = false"
                           " WHERE tenant_id = $1 AND user_id = $2", *args)
        await conn.execute("UPDATE posts SET body = NULL WHERE tenant_id = $1"
                           " AND author_id = $2", *args)
        await conn.execute("UPDATE comments SET body = NULL WHERE tenant_id = $1"
                           " AND author_id = $2", *args)
        await conn.execute("DELETE FROM rehearsals WHERE tenant_id = $1 AND author_id = $2",
                           *args)
        await sealer.shred(host, subject_id)


async def of_guest(db: Db, tenant_id: str, user_id: str) -> dict[str, list[asyncpg.Record]]:
    """What a coach of ``tenant_id`` wrote as a guest in circles of other organisations, for
    their export: the circles (by their name there), their posts and comments (sealed, each
    with the organisation it is kept in, ``host``)."""
    circles = await db.fetch(
        "SELECT s.space_id, s.name, m.pseudonym, m.status, m.joined_at FROM members m"
        " JOIN spaces s USING (tenant_id, space_id) WHERE m.user_id = $1"
        " AND m.home_tenant = $2 ORDER BY m.joined_at NULLS LAST", user_id, tenant_id)
    posts = await db.fetch(
        "SELECT p.tenant_id AS host, p.post_id, p.space_id, p.kind, p.body, p.published_at"
        " FROM posts p JOIN members m ON m.tenant_id = p.tenant_id"
        " AND m.space_id = p.space_id AND m.user_id = p.author_id"
        " WHERE p.author_id = $1 AND m.home_tenant = $2 ORDER BY p.published_at",
        user_id, tenant_id)
    comments = await db.fetch(
        "SELECT c.tenant_id AS host, c.comment_id, c.post_id, c.space_id, c.body, c.created_at"
        " FROM comments c JOIN members m ON m.tenant_id = c.tenant_id"
        " AND m.space_id = c.space_id AND m.user_id = c.author_id"
        " WHERE c.author_id = $1 AND m.home_tenant = $2 ORDER BY c.created_at",
        user_id, tenant_id)
    return {"circles": list(circles), "posts": list(posts), "comments": list(comments)}
