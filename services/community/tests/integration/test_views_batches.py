"""The spaces' read models come out the same whether their events arrive one at a time (a
worker keeping up) or a batch at a time (a rebuild, a worker catching up): the views hold a
batch's posts, comments and reactions and write them a table at a time (before any event that
may change them), and the counts and marks once per batch."""

from __future__ import annotations

from datetime import datetime

from interlude.community.projections.views import Views
from interlude.community.wiring import MIGRATIONS
from interlude.shared.db import migrate
from interlude.shared.projections.base import RecordedEvent
from interlude.shared.testing.batches import START, Events, one_by_one_then_at_once, rows, sealed

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


def a_busier_week() -> list[RecordedEvent]:
    """The morning, then what may change rows held in a batch (a post shared, pinned and
    reported just after it was published, a comment withdrawn just after it was added) and
    what passes them by (a member leaving, a tag) between reactions added and taken back."""
    events, _ = a_cohorts_morning()
    s, on_post = Events("COMMUNITY", "org_batches"), {"space_id": SPACE}
    s.recorded = list(events)
    later = "pst_2"
    s.add("community.PostPublished", later, BEA, **on_post, author_id=BEA, handle="Otter",
          kind="small_win", body=sealed(BEA))
    s.add("community.ReactionAdded", later, ASH, **on_post, user_id=ASH, reaction="celebrate")
    s.add("community.MemberTagged", later, BEA, **on_post, tagged_id=ASH, tagged_by=BEA)
    s.add("community.PostShared", later, ASH, **on_post, shared_by=ASH, post_author_id=BEA)
    s.add("community.ReactionRemoved", later, ASH, **on_post, user_id=ASH, reaction="celebrate")
    s.add("community.MemberLeft", SPACE, ASH, user_id=ASH, handle="Heron", reason="left")
    s.add("community.ReactionRemoved", POST, ASH, **on_post, user_id=ASH, reaction="support")
    s.add("community.CommentAdded", later, COACH, **on_post, comment_id="cmt_4",
          author_id=COACH, handle="Coach", post_author_id=BEA, parent_id=None,
          body=sealed(COACH))
    s.add("community.CommentWithdrawn", later, COACH, **on_post, comment_id="cmt_4",
          author_id=COACH)
    s.add("community.InsightPinned", later, COACH, **on_post, author_id=BEA, coach_id=COACH,
          note=sealed(COACH))
    s.add("community.ReactionAdded", later, COACH, **on_post, user_id=COACH, reaction="like")
    s.add("community.PostReported", later, ASH, **on_post, reporter_id=ASH,
          reason=sealed(ASH))
    for added in (True, False):  # a slip of the finger, taken back at once
        s.add(f"community.Reaction{'Added' if added else 'Removed'}", POST, COACH, **on_post,
              user_id=COACH, reaction="insightful")
    return s.recorded


async def test_any_cut_into_batches_makes_the_same_feed_as_one_at_a_time(pg_pool):
    events, views = a_busier_week(), Views()
    async with pg_pool.acquire() as conn:
        await migrate(conn, MIGRATIONS)
        one_by_one, _ = await one_by_one_then_at_once(conn, views, events)
        for size in (2, 3, 5, 7):
            async with conn.transaction():
                await views.reset(conn)
            for start in range(0, len(events), size):  # each batch its own transaction
                async with conn.transaction():
                    await views.apply(conn, events[start:start + size])
            assert await rows(conn, views.tables) == one_by_one, f"batches of {size}"

        shared = await conn.fetchrow("SELECT shares, pinned_at IS NOT NULL AS pinned, reports,"
                                     " comments, reactions FROM posts WHERE post_id = 'pst_2'")
        assert dict(shared) == {"shares": 1, "pinned": True, "reports": 1, "comments": 0,
                                "reactions": '{"like": 1, "celebrate": 0}'}
        reacted = await conn.fetch("SELECT post_id, user_id, reaction FROM reactions"
                                   " ORDER BY 1, 2")
        assert [tuple(r) for r in reacted] == [(POST, BEA, "like"), ("pst_2", COACH, "like")]
