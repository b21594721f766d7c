"""community's spaces as notify needs them, read from community's published events by name and
field (:mod:`.community_events`): who is in which space under which pseudonym (and who has
left it: their pseudonym still names what they did), and whose posts and comments are whose.
The reactions to the same events run in step after each event (``app/reactions.py``), so they
see this as of the event they react to."""

from __future__ import annotations

import asyncpg

from interlude.notify.projections import community_events as com
from interlude.shared.projections.base import Projection, RecordedEvent

NAME = "notify-spaces"


class Spaces(Projection):
    name = NAME
    tables = ("spaces", "members", "posts", "comments")
    reads = (com.community,)
    handles = ("community.SpaceCreated", "community.MemberJoined", "community.MemberLeft",
               "community.PostPublished", "community.CommentAdded")

    async def on_space_created(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.of(com.SpaceCreated)
        await conn.execute(
            "INSERT INTO spaces (tenant_id, space_id, coach_id, name, pseudonymous)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            event.tenant_id, event.aggregate_id, e.coach_id, e.name, e.pseudonymous)

    async def on_member_joined(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.of(com.MemberJoined)
        await conn.execute(
            "INSERT INTO members (tenant_id, space_id, user_id, pseudonym) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (tenant_id, space_id, user_id) DO UPDATE SET pseudonym ="
            " excluded.pseudonym, gone = false", event.tenant_id, event.aggregate_id, e.user_id,
            e.pseudonym)

    async def on_member_left(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.of(com.MemberLeft)
        await conn.execute("UPDATE members SET gone = true WHERE tenant_id = $1"
                           " AND space_id = $2 AND user_id = $3", event.tenant_id,
                           event.aggregate_id, e.user_id)

    async def on_post_published(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.of(com.PostPublished)
        await conn.execute(
            "INSERT INTO posts (tenant_id, post_id, space_id, author_id) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT DO NOTHING", event.tenant_id, event.aggregate_id, e.space_id,
            e.author_id)

    async def on_comment_added(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.of(com.CommentAdded)
        await conn.execute(
            "INSERT INTO comments (tenant_id, comment_id, author_id) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING", event.tenant_id, e.comment_id, e.author_id)
