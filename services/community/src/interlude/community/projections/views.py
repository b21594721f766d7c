"""The spaces as their members read them: members and pseudonyms, the feed's posts with their
counts, comments, reactions, tags, shares, reports and rehearsals, from community's stream.
Content stays sealed here (:mod:`interlude.shared.projections.sealed`). Handlers read the
events decoded and upcast (``event.of``)."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from datetime import datetime

import asyncpg

from interlude.community.domain import events as ev
from interlude.community.projections import materials
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.sealed import kept

NAME = "community-views"


def _at(event: RecordedEvent) -> datetime:
    return event.envelope.occurred_at


# the bulk of a space's events, each inserting into a table of its own (posts, comments,
# reactions; a feed read only moves a mark): a batch's inserts are held and written a table at
# a time (Later.flush)
BUNCHED = (ev.PostPublished.type_name, ev.CommentAdded.type_name, ev.ReactionAdded.type_name,
           ev.ReactionRemoved.type_name, ev.FeedRead.type_name)
# events that write none of the tables whose inserts are held (posts, comments, reactions):
# they pass what is held by, named one by one. Any other event (a post edited, shared, pinned
# or hidden, a comment withdrawn, an event type added later until it is named here) writes
# what is held first, so that it finds the rows it changes.
APART = frozenset(e.type_name for e in (
    ev.SpaceCreated, ev.SlowModeSet, ev.MemberInvited, ev.MemberJoined, ev.MemberLeft,
    ev.PseudonymRevealed, ev.JoinRequested, ev.JoinRequestDeclined, ev.MemberSteppedOut,
    ev.MemberSteppedBack, ev.QuietMemberInvited, ev.MemberTagged, ev.RehearsalDrafted,
    ev.RehearsalRevised, ev.RehearsalFeedbackGiven, ev.RehearsalPublished, ev.RehearsalDropped,
    ev.CohortMaterialShared, ev.CohortMaterialOpened, ev.CohortMaterialDone))


# a batch's new posts and comments, each table's in one statement (a row there already, or
# twice in the batch, is inserted once, as one statement per event did)
HELD = {
    "posts": "INSERT INTO posts (tenant_id, post_id, space_id, author_id, kind, body,"
             " rehearsal_id, published_at, feed_at) SELECT w.*, w.at FROM unnest($1::text[],"
             " $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[],"
             " $8::timestamptz[]) AS w(t, id, s, a, k, b, r, at) ON CONFLICT DO NOTHING",
    "comments": "INSERT INTO comments (tenant_id, comment_id, post_id, space_id, author_id,"
                " parent_id, body, created_at) SELECT * FROM unnest($1::text[], $2::text[],"
                " $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[],"
                " $8::timestamptz[]) ON CONFLICT DO NOTHING",
}


class Later:
    """What a batch's events add up to, written once per batch, one statement per table
    instead of one per event (a post, a comment or a reaction cost three round trips to
    PostgreSQL, and a rebuild replays them by the hundred thousand):

    - the new posts and comments (``rows``, by table) and the reactions (``reacted``: the
      last of a batch's steps on one person's reaction to one post decides whether its row
      is there), held until the batch's end or until an event that may change those rows
      (any not :data:`BUNCHED` or :data:`APART`);
    - members' last activity and last read (the latest wins) and the posts' comment and
      reaction counts (sums). No handler reads these columns, and the rows they update are
      there before the batch ends (a member before they act, a post before its comments)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[object, ...]]] = {"posts": [], "comments": []}
        self.reacted: dict[tuple[str, str, str, str], bool] = {}
        self.active: dict[tuple[str, str, str], datetime] = {}
        self.read: dict[tuple[str, str, str], datetime] = {}
        self.comments: dict[tuple[str, str], int] = defaultdict(int)
        self.reactions: dict[tuple[str, str], dict[str, int]] = defaultdict(
            lambda: defaultdict(int))

    async def flush(self, conn: asyncpg.Connection) -> None:
        """Write what is held so far (no table refers to another's rows: their order does
        not matter)."""
        for table, sql in HELD.items():
            if rows := self.rows[table]:
                await conn.execute(sql, *[list(c) for c in zip(*rows, strict=True)])
                rows.clear()
        if self.reacted:
            keys = list(self.reacted)
            for added, sql in ((False, "DELETE FROM reactions r USING unnest($1::text[],"
                                " $2::text[], $3::text[], $4::text[]) AS w(t, p, u, x)"
                                " WHERE r.tenant_id = w.t AND r.post_id = w.p"
                                " AND r.user_id = w.u AND r.reaction = w.x"),
                               (True, "INSERT INTO reactions (tenant_id, post_id, user_id,"
                                " reaction) SELECT * FROM unnest($1::text[], $2::text[],"
                                " $3::text[], $4::text[]) ON CONFLICT DO NOTHING")):
                chosen = [k for k in keys if self.reacted[k] is added]
                if chosen:
                    await conn.execute(sql, *[list(c) for c in zip(*chosen, strict=True)])
            self.reacted = {}

    @staticmethod
    def latest(seen: dict[tuple[str, str, str], datetime], key: tuple[str, str, str],
               at: datetime) -> None:
        seen[key] = max(at, seen.get(key, at))

    async def write(self, conn: asyncpg.Connection) -> None:
        await self.flush(conn)
        for column, seen in (("last_active_at", self.active), ("read_up_to", self.read)):
            if seen:
                keys = list(seen)
                await conn.execute(
                    f"UPDATE members m SET {column} = greatest(m.{column}, w.at)"
                    " FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])"
                    " AS w(t, s, u, at) WHERE m.tenant_id = w.t AND m.space_id = w.s"
                    " AND m.user_id = w.u", [k[0] for k in keys], [k[1] for k in keys],
                    [k[2] for k in keys], [seen[k] for k in keys])
        if self.comments:
            commented = list(self.comments)
            await conn.execute(
                "UPDATE posts p SET comments = p.comments + w.d FROM unnest($1::text[],"
                " $2::text[], $3::int[]) AS w(t, id, d) WHERE p.tenant_id = w.t"
                " AND p.post_id = w.id", [k[0] for k in commented], [k[1] for k in commented],
                [self.comments[k] for k in commented])
        if self.reactions:
            reacted = list(self.reactions)
            # each reaction's count moved by its sum (kept at 0 when it came back to 0, as
            # one step at a time leaves it)
            await conn.execute(
                "UPDATE posts p SET reactions = p.reactions || (SELECT jsonb_object_agg("
                "d.key, coalesce((p.reactions->>d.key)::int, 0) + d.value::int)"
                " FROM jsonb_each_text(w.d) d) FROM unnest($1::text[], $2::text[],"
                " $3::jsonb[]) AS w(t, id, d) WHERE p.tenant_id = w.t AND p.post_id = w.id",
                [k[0] for k in reacted], [k[1] for k in reacted],
                [json.dumps(self.reactions[k]) for k in reacted])


class Views(materials.MaterialViews, Projection):
    name = NAME
    tables = ("spaces", "members", "posts", "comments", "reactions", "tags", "shares",
              "reports", "rehearsals", *materials.TABLES)
    reads = (ev.registry,)
    handles = tuple(n for n in ev.registry.names() if n != "community.PostPaced")

    def __init__(self) -> None:
        super().__init__()
        self.later = Later()

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        self.later = Later()
        for passing, run in itertools.groupby(
                events, key=lambda e: e.type in BUNCHED or e.type in APART):
            if not passing:
                await self.later.flush(conn)
            await super().apply(conn, list(run))
        await self.later.write(conn)

    # -- spaces and members ---------------------------------------------------------------------

    async def on_space_created(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.SpaceCreated)
        await conn.execute(
            "INSERT INTO spaces (tenant_id, space_id, coach_id, kind, name, description,"
            " pseudonymous, created_at, methodology, challenges, context, findable)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
            " ON CONFLICT DO NOTHING", event.tenant_id, event.aggregate_id, p.coach_id,
            p.kind, p.name, p.description, p.pseudonymous, _at(event), p.methodology,
            p.challenges, p.context, p.findable)
        await conn.execute(
            "INSERT INTO members (tenant_id, space_id, user_id, handle, status, role, joined_at)"
            " VALUES ($1, $2, $3, $4, 'joined', 'coach', $5) ON CONFLICT DO NOTHING",
            event.tenant_id, event.aggregate_id, p.coach_id, p.coach_handle, _at(event))

    async def _member(self, conn: asyncpg.Connection, event: RecordedEvent, user_id: str,
                      sql: str, *args: object) -> None:
        await conn.execute(f"UPDATE members SET {sql} WHERE tenant_id = $1 AND space_id = $2"
                           " AND user_id = $3 AND status <> 'forgotten'", event.tenant_id,
                           event.aggregate_id, user_id, *args)

    async def on_member_invited(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await conn.execute(
            "INSERT INTO members (tenant_id, space_id, user_id, status) VALUES ($1, $2, $3,"
            " 'invited') ON CONFLICT (tenant_id, space_id, user_id) DO UPDATE"
            " SET status = 'invited', request_note = NULL"
            " WHERE members.status IN ('left', 'asked')",
            event.tenant_id, event.aggregate_id, event.of(ev.MemberInvited).user_id)

    async def on_member_joined(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.MemberJoined)
        await self._member(conn, event, p.user_id, "status = 'joined', handle = $4,"
                           " pseudonym = $5, joined_at = $6", p.handle, p.pseudonym, _at(event))

    async def on_member_left(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._member(conn, event, event.of(ev.MemberLeft).user_id, "status = 'left'")

    async def on_pseudonym_revealed(self, conn: asyncpg.Connection,
                                    event: RecordedEvent) -> None:
        await self._member(conn, event, event.of(ev.PseudonymRevealed).user_id,
                           "revealed = true")

    async def on_join_requested(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.JoinRequested)
        await conn.execute(
            "INSERT INTO members (tenant_id, space_id, user_id, handle, status, request_note,"
            " asked_at, home_tenant) VALUES ($1, $2, $3, $4, 'asked', $5, $6, $7)"
            " ON CONFLICT (tenant_id, space_id, user_id) DO UPDATE SET status = 'asked',"
            " handle = $4, request_note = $5, asked_at = $6, home_tenant = $7"
            " WHERE members.status = 'left'", event.tenant_id, event.aggregate_id, p.user_id,
            p.handle, kept(p.note), _at(event), p.home_tenant)

    async def on_join_request_declined(self, conn: asyncpg.Connection,
                                       event: RecordedEvent) -> None:
        await self._member(conn, event, event.of(ev.JoinRequestDeclined).user_id,
                           "status = 'left', request_note = NULL")

    async def on_member_stepped_out(self, conn: asyncpg.Connection,
                                    event: RecordedEvent) -> None:
        p = event.of(ev.MemberSteppedOut)
        if p.peer_id is None:
            await self._member(conn, event, p.user_id, "open_to_all = true")
        else:
            await self._member(conn, event, p.user_id, "open_to = array_append("
                               "array_remove(open_to, $4), $4)", p.peer_id)

    async def on_member_stepped_back(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> None:
        await self._member(conn, event, event.of(ev.MemberSteppedBack).user_id,
                           "open_to_all = false, open_to = '{}'")

    async def on_quiet_member_invited(self, conn: asyncpg.Connection,
                                      event: RecordedEvent) -> None:
        await self._member(conn, event, event.of(ev.QuietMemberInvited).user_id,
                           "quiet_invited_at = $4", _at(event))

    async def on_slow_mode_set(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await conn.execute("UPDATE spaces SET slow_mode_s = $3 WHERE tenant_id = $1"
                           " AND space_id = $2", event.tenant_id, event.aggregate_id,
                           event.of(ev.SlowModeSet).seconds)

    async def on_feed_read(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.FeedRead)
        self.later.latest(self.later.read, (event.tenant_id, p.space_id, p.user_id), p.up_to)

    # -- posts ----------------------------------------------------------------------------------

    async def on_post_published(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.PostPublished)
        self.later.rows["posts"].append((event.tenant_id, event.aggregate_id, p.space_id,
                                         p.author_id, p.kind, kept(p.body), p.rehearsal_id,
                                         _at(event)))
        self._active(event, p.space_id, p.author_id)

    async def _post(self, conn: asyncpg.Connection, event: RecordedEvent, sql: str,
                    *args: object) -> None:
        await conn.execute(f"UPDATE posts SET {sql} WHERE tenant_id = $1 AND post_id = $2",
                           event.tenant_id, event.aggregate_id, *args)

    async def on_post_edited(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._post(conn, event, "body = $3, edited_at = $4",
                         kept(event.of(ev.PostEdited).body), _at(event))

    async def on_post_withdrawn(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._post(conn, event, "withdrawn = true, body = NULL, pinned_at = NULL,"
                         " pin_note = NULL")

    async def on_comment_added(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.CommentAdded)
        self.later.rows["comments"].append((event.tenant_id, p.comment_id, event.aggregate_id,
                                            p.space_id, p.author_id, p.parent_id,
                                            kept(p.body), _at(event)))
        self.later.comments[event.tenant_id, event.aggregate_id] += 1
        self._active(event, p.space_id, p.author_id)

    async def on_comment_withdrawn(self, conn: asyncpg.Connection,
                                   event: RecordedEvent) -> None:
        await conn.execute("UPDATE comments SET withdrawn = true, body = NULL"
                           " WHERE tenant_id = $1 AND comment_id = $2", event.tenant_id,
                           event.of(ev.CommentWithdrawn).comment_id)
        self.later.comments[event.tenant_id, event.aggregate_id] -= 1

    def _reaction(self, event: RecordedEvent, step: int) -> None:
        p = event.event
        assert isinstance(p, ev.ReactionAdded | ev.ReactionRemoved)
        # held: the last of a batch's steps on one person's reaction decides the row
        self.later.reacted[event.tenant_id, event.aggregate_id, p.user_id, p.reaction] = (
            step > 0)
        self.later.reactions[event.tenant_id, event.aggregate_id][p.reaction] += step

    async def on_reaction_added(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        self._reaction(event, 1)
        p = event.of(ev.ReactionAdded)
        self._active(event, p.space_id, p.user_id)

    async def on_reaction_removed(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        self._reaction(event, -1)

    async def on_member_tagged(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.MemberTagged)
        await conn.execute("INSERT INTO tags (tenant_id, post_id, tagged_id, tagged_by, at)"
                           " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                           event.tenant_id, event.aggregate_id, p.tagged_id, p.tagged_by,
                           _at(event))

    async def on_post_shared(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await conn.execute("INSERT INTO shares (tenant_id, post_id, shared_by, at)"
                           " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", event.tenant_id,
                           event.aggregate_id, event.of(ev.PostShared).shared_by, _at(event))
        await self._post(conn, event, "shares = shares + 1, feed_at = $3", _at(event))

    async def on_insight_pinned(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._post(conn, event, "pinned_at = $3, pin_note = $4", _at(event),
                         kept(event.of(ev.InsightPinned).note))

    async def on_insight_unpinned(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._post(conn, event, "pinned_at = NULL, pin_note = NULL")

    async def on_post_reported(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.PostReported)
        await conn.execute("INSERT INTO reports (tenant_id, post_id, reporter_id, reason, at)"
                           " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                           event.tenant_id, event.aggregate_id, p.reporter_id, kept(p.reason),
                           _at(event))
        await self._post(conn, event, "reports = reports + 1")

    async def on_post_hidden(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._post(conn, event, "hidden = true, hidden_by = $3",
                         event.of(ev.PostHidden).by)

    async def on_post_restored(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._post(conn, event, "hidden = false, hidden_by = NULL, reports = 0")

    # -- rehearsals -----------------------------------------------------------------------------

    async def on_rehearsal_drafted(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.RehearsalDrafted)
        await conn.execute(
            "INSERT INTO rehearsals (tenant_id, rehearsal_id, space_id, author_id, coach_id,"
            " kind, body, status, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'drafted', $8)"
            " ON CONFLICT DO NOTHING", event.tenant_id, event.aggregate_id, p.space_id,
            p.author_id, p.coach_id, p.kind, kept(p.body), _at(event))

    async def _rehearsal(self, conn: asyncpg.Connection, event: RecordedEvent, sql: str,
                         *args: object) -> None:
        await conn.execute(f"UPDATE rehearsals SET {sql}, updated_at = $3 WHERE tenant_id = $1"
                           " AND rehearsal_id = $2", event.tenant_id, event.aggregate_id,
                           _at(event), *args)

    async def on_rehearsal_revised(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._rehearsal(conn, event, "body = $4",
                              kept(event.of(ev.RehearsalRevised).body))

    async def on_rehearsal_feedback_given(self, conn: asyncpg.Connection,
                                          event: RecordedEvent) -> None:
        await self._rehearsal(conn, event, "feedback = feedback || jsonb_build_array("
                              "jsonb_build_object('at', $3::timestamptz, 'body', $4::jsonb))",
                              kept(event.of(ev.RehearsalFeedbackGiven).body))

    async def on_rehearsal_published(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> None:
        await self._rehearsal(conn, event, "status = 'published', post_id = $4",
                              event.of(ev.RehearsalPublished).post_id)

    async def on_rehearsal_dropped(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._rehearsal(conn, event, "status = 'dropped'")

    def _active(self, event: RecordedEvent, space_id: str, user_id: str) -> None:
        """The member posted, commented or reacted: not one of the quiet ones."""
        self.later.latest(self.later.active, (event.tenant_id, space_id, user_id), _at(event))
