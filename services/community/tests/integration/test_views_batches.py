"""The spaces' read models come out the same whether their events arrive one at a time (a
worker keeping up) or a batch at a time (a rebuild, a worker catching up): the views write a
run of posts, comments and reactions a table at a time, and the counts and marks once per
batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from interlude.community.projections.views import Views
from interlude.community.wiring import MIGRATIONS
from interlude.shared.db import migrate
from interlude.shared.ids import new_id
from interlude.shared.projections.base import RecordedEvent

TENANT, SPACE, POST = "org_batches", "spc_1", "pst_1"
COACH, ASH, BEA = "usr_coach", "usr_ash", "usr_bea"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def sealed(subject: str) -> dict[str, Any]:
    return {"$sealed": 1, "sub": subject, "ct": new_id()}  # as stored: never opened here


class Stream:
    """community's events as the views read them from its stream, a minute apart."""

    def __init__(self) -> None:
        self.events: list[RecordedEvent] = []

    def add(self, event_type: str, aggregate_id: str, actor: str, /, **payload: Any
            ) -> datetime:
        at = START + timedelta(minutes=len(self.events))
        wire = {"event_id": new_id(), "type": f"community.{event_type}", "schema_version": 1,
                "tenant_id": TENANT, "aggregate_id": aggregate_id, "occurred_at": at.isoformat(),
                "actor": {"id": actor, "roles": [], "kind": "user"}, "correlation_id": new_id(),
                "causation_id": None, "policy_version": None, "source_address": None,
                "payload": payload}
        position = len(self.events) + 1
        self.events.append(RecordedEvent(wire, "COMMUNITY", f"community.{TENANT}.x.{aggregate_id}",
                                         position, 0))
        return at


def a_cohorts_morning() -> tuple[list[RecordedEvent], dict[str, datetime]]:
    s, on_post = Stream(), {"space_id": SPACE}
    s.add("SpaceCreated", SPACE, COACH, coach_id=COACH, coach_handle="Coach", kind="cohort",
          name="Saying no", description="", pseudonymous=True)
    for user, handle in ((ASH, "Heron"), (BEA, "Otter")):
        s.add("MemberInvited", SPACE, COACH, user_id=user, invited_by=COACH, contract_id=None)
        s.add("MemberJoined", SPACE, user, user_id=user, handle=handle, pseudonym=handle)
    s.add("PostPublished", POST, ASH, **on_post, author_id=ASH, handle="Heron",
          kind="reflection", body=sealed(ASH))

    def comment(comment_id: str, author: str) -> datetime:
        return s.add("CommentAdded", POST, author, **on_post, comment_id=comment_id,
                     author_id=author, handle="x", post_author_id=ASH, parent_id=None,
                     body=sealed(author))

    comment("cmt_1", BEA)
    s.add("ReactionAdded", POST, BEA, **on_post, user_id=BEA, reaction="like")
    s.add("ReactionAdded", POST, ASH, **on_post, user_id=ASH, reaction="support")
    read_at = s.add("ReactionRemoved", POST, BEA, **on_post, user_id=BEA, reaction="like")
    s.add("FeedRead", f"{SPACE}_Otter", BEA, space_id=SPACE, user_id=BEA, up_to=read_at.isoformat())
    ash_active = comment("cmt_2", ASH)
    s.add("CommentWithdrawn", POST, ASH, **on_post, comment_id="cmt_2", author_id=ASH)
    s.add("PostEdited", POST, ASH, **on_post, author_id=ASH, body=sealed(ASH))
    s.add("ReactionAdded", POST, BEA, **on_post, user_id=BEA, reaction="like")
    bea_active = comment("cmt_3", BEA)
    s.add("FeedRead", f"{SPACE}_Otter", BEA, space_id=SPACE, user_id=BEA,
          up_to=START.isoformat())  # an older mark: the feed stays read further
    return s.events, {"read": read_at, "ash": ash_active, "bea": bea_active}


async def rows(conn: asyncpg.Connection) -> dict[str, list[str]]:
    return {table: [r[0] for r in await conn.fetch(
        f"SELECT t::text FROM {table} t ORDER BY 1")] for table in Views.tables}


async def test_one_at_a_time_and_a_batch_at_once_make_the_same_feed(pg_pool):
    events, at = a_cohorts_morning()
    views = Views()
    async with pg_pool.acquire() as conn:
        await migrate(conn, MIGRATIONS)
        for event in events:  # as a worker keeping up sees them
            async with conn.transaction():
                await views.apply(conn, [event])
        one_by_one = await rows(conn)
        async with conn.transaction():  # as a rebuild sees them
            await views.reset(conn)
            await views.apply(conn, events)
        assert await rows(conn) == one_by_one

        post = await conn.fetchrow("SELECT comments, reactions FROM posts WHERE post_id = $1",
                                   POST)
        assert post["comments"] == 2  # three, one withdrawn
        assert post["reactions"] == '{"like": 1, "support": 1}'
        reacted = await conn.fetch("SELECT user_id, reaction FROM reactions ORDER BY 1")
        assert [tuple(r) for r in reacted] == [(ASH, "support"), (BEA, "like")]
        members = {r["user_id"]: r for r in await conn.fetch(
            "SELECT user_id, last_active_at, read_up_to FROM members")}
        assert members[ASH]["last_active_at"] == at["ash"]
        assert members[BEA]["last_active_at"] == at["bea"]
        assert members[BEA]["read_up_to"] == at["read"]
        assert members[COACH]["last_active_at"] is None
