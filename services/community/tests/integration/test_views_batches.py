"""The spaces' read models come out the same whether their events arrive one at a time (a
worker keeping up) or a batch at a time (a rebuild, a worker catching up): the views write a
run of posts, comments and reactions a table at a time, and the counts and marks once per
batch."""

from __future__ import annotations

from datetime import datetime

from interlude.community.projections.views import Views
from interlude.community.wiring import MIGRATIONS
from interlude.shared.db import migrate
from interlude.shared.projections.base import RecordedEvent
from interlude.shared.testing.batches import START, Events, one_by_one_then_at_once, sealed

SPACE, POST = "spc_1", "pst_1"
COACH, ASH, BEA = "usr_coach", "usr_ash", "usr_bea"


def a_cohorts_morning() -> tuple[list[RecordedEvent], dict[str, datetime]]:
    s, on_post = Events("COMMUNITY", "org_batches"), {"space_id": SPACE}
    s.add("community.SpaceCreated", SPACE, COACH, coach_id=COACH, coach_handle="Coach",
          kind="cohort", name="Saying no", description="", pseudonymous=True)
    for user, handle in ((ASH, "Heron"), (BEA, "Otter")):
        s.add("community.MemberInvited", SPACE, COACH, user_id=user, invited_by=COACH,
              contract_id=None)
        s.add("community.MemberJoined", SPACE, user, user_id=user, handle=handle,
              pseudonym=handle)
    s.add("community.PostPublished", POST, ASH, **on_post, author_id=ASH, handle="Heron",
          kind="reflection", body=sealed(ASH))

    def comment(comment_id: str, author: str) -> datetime:
        return s.add("community.CommentAdded", POST, author, **on_post, comment_id=comment_id,
                     author_id=author, handle="x", post_author_id=ASH, parent_id=None,
                     body=sealed(author))

    def reaction(added: bool, user: str, reaction: str) -> datetime:
        return s.add(f"community.Reaction{'Added' if added else 'Removed'}", POST, user,
                     **on_post, user_id=user, reaction=reaction)

    comment("cmt_1", BEA)
    reaction(True, BEA, "like")
    reaction(True, ASH, "support")
    read_at = reaction(False, BEA, "like")
    s.add("community.FeedRead", f"{SPACE}_Otter", BEA, space_id=SPACE, user_id=BEA,
          up_to=read_at.isoformat())
    ash_active = comment("cmt_2", ASH)
    s.add("community.CommentWithdrawn", POST, ASH, **on_post, comment_id="cmt_2",
          author_id=ASH)
    s.add("community.PostEdited", POST, ASH, **on_post, author_id=ASH, body=sealed(ASH))
    reaction(True, BEA, "like")
    bea_active = comment("cmt_3", BEA)
    s.add("community.FeedRead", f"{SPACE}_Otter", BEA, space_id=SPACE, user_id=BEA,
          up_to=START.isoformat())  # an older mark: the feed stays read further
    return s.recorded, {"read": read_at, "ash": ash_active, "bea": bea_active}


async def test_one_at_a_time_and_a_batch_at_once_make_the_same_feed(pg_pool):
    events, at = a_cohorts_morning()
    async with pg_pool.acquire() as conn:
        await migrate(conn, MIGRATIONS)
        one_by_one, at_once = await one_by_one_then_at_once(conn, Views(), events)
        assert at_once == one_by_one

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
