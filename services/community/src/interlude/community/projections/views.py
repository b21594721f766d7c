"""The spaces as their members read them: members and pseudonyms, the feed's posts with their
counts, comments, reactions, tags, shares, reports and rehearsals, from community's stream.
Content stays sealed here (:mod:`interlude.shared.projections.sealed`). Handlers read the
events decoded and upcast (``event.of``)."""

from __future__ import annotations

import asyncpg

from interlude.community.domain import events as ev
from interlude.community.projections import materials
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.sealed import kept

NAME = "community-views"


def _at(event: RecordedEvent) -> object:
    return event.envelope.occurred_at


class Views(materials.MaterialViews, Projection):
    name = NAME
    tables = ("spaces", "members", "posts", "comments", "reactions", "tags", "shares",
              "reports", "rehearsals", *materials.TABLES)
    reads = (ev.registry,)
    handles = tuple(n for n in ev.registry.names() if n != "community.PostPaced")

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
        await conn.execute("UPDATE members SET read_up_to = greatest(read_up_to,"
                           " $4::timestamptz) WHERE tenant_id = $1 AND space_id = $2"
                           " AND user_id = $3", event.tenant_id, p.space_id, p.user_id,
                           p.up_to)

    # -- posts ----------------------------------------------------------------------------------

    async def on_post_published(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.PostPublished)
        await conn.execute(
            "INSERT INTO posts (tenant_id, post_id, space_id, author_id, kind, body,"
            " rehearsal_id, published_at, feed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
            " ON CONFLICT DO NOTHING", event.tenant_id, event.aggregate_id, p.space_id,
            p.author_id, p.kind, kept(p.body), p.rehearsal_id, _at(event))
        await _active(conn, event, p.space_id, p.author_id)

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
        await conn.execute(
            "INSERT INTO comments (tenant_id, comment_id, post_id, space_id, author_id,"
            " parent_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT DO NOTHING", event.tenant_id, p.comment_id, event.aggregate_id,
            p.space_id, p.author_id, p.parent_id, kept(p.body), _at(event))
        await self._post(conn, event, "comments = comments + 1")
        await _active(conn, event, p.space_id, p.author_id)

    async def on_comment_withdrawn(self, conn: asyncpg.Connection,
                                   event: RecordedEvent) -> None:
        await conn.execute("UPDATE comments SET withdrawn = true, body = NULL"
                           " WHERE tenant_id = $1 AND comment_id = $2", event.tenant_id,
                           event.of(ev.CommentWithdrawn).comment_id)
        await self._post(conn, event, "comments = comments - 1")

    async def _reaction(self, conn: asyncpg.Connection, event: RecordedEvent,
                        step: int) -> None:
        p = event.event
        assert isinstance(p, ev.ReactionAdded | ev.ReactionRemoved)
        if step > 0:
            await conn.execute("INSERT INTO reactions (tenant_id, post_id, user_id, reaction)"
                               " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                               event.tenant_id, event.aggregate_id, p.user_id, p.reaction)
        else:
            await conn.execute("DELETE FROM reactions WHERE tenant_id = $1 AND post_id = $2"
                               " AND user_id = $3 AND reaction = $4", event.tenant_id,
                               event.aggregate_id, p.user_id, p.reaction)
        await self._post(conn, event, "reactions = jsonb_set(reactions, ARRAY[$3::text],"
                         " to_jsonb(coalesce((reactions->>$3)::int, 0) + $4))",
                         p.reaction, step)

    async def on_reaction_added(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._reaction(conn, event, 1)
        p = event.of(ev.ReactionAdded)
        await _active(conn, event, p.space_id, p.user_id)

    async def on_reaction_removed(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._reaction(conn, event, -1)

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


async def _active(conn: asyncpg.Connection, event: RecordedEvent, space_id: str,
                  user_id: str) -> None:
    """The member posted, commented or reacted: not one of the quiet ones."""
    await conn.execute("UPDATE members SET last_active_at = greatest(last_active_at, $4)"
                       " WHERE tenant_id = $1 AND space_id = $2 AND user_id = $3",
                       event.tenant_id, space_id, user_id, _at(event))
