"""Reading a space: its feed (pinned insights first, then newest, with a cursor and the
reader's unread count) and one post with its comments. Every read of members' posts records an
access event naming whose posts were read."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from interlude.community.app.deps import Community
from interlude.community.app.labels import SpaceView, space_view
from interlude.community.domain.errors import Invalid, NotFound
from interlude.community.domain.space import require_member
from interlude.shared.events.envelope import CommandContext
from interlude.shared.projections.sealed import reveal

UNREAD_CAP = 100  # "99+" is as much as anyone needs to know
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


def encode_cursor(feed_at: datetime, post_id: str) -> str:
    raw = json.dumps([feed_at.isoformat(), post_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, post_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(at), str(post_id)
    except (ValueError, TypeError, binascii.Error):
        raise Invalid("this cursor is not one a feed gave; start again without it",
                      field="cursor") from None


async def _view(deps: Community, ctx: CommandContext, space_id: str, action: str) -> SpaceView:
    await deps.enforce_enabled(ctx, action, "space", space_id)
    require_member(await deps.space(ctx.tenant_id, space_id), ctx.actor.id)
    view = await space_view(deps.pool, deps.sealer, ctx.tenant_id, space_id, ctx.actor.id)
    if view is None:  # joined a moment ago: the read side has not caught up yet
        raise NotFound("there is no such space yet; retry in a moment")
    return view


async def item(deps: Community, ctx: CommandContext, view: SpaceView,
               row: Any) -> dict[str, Any]:
    """One post as this reader sees it."""
    shown: dict[str, Any] = {
        "post_id": row["post_id"], "kind": row["kind"], "author": view.label(row["author_id"]),
        "body": await reveal(deps.sealer, ctx.tenant_id, row["body"]),
        "published_at": row["published_at"], "edited_at": row["edited_at"],
        "comments": row["comments"], "shares": row["shares"],
        "reactions": {k: v for k, v in json.loads(row["reactions"]).items() if v > 0},
        "my_reactions": sorted(row["mine"] or []),
        "tagged": [view.label(u) for u in row["tagged"] or []],
        "shared_by": [view.label(u) for u in row["shared_by"] or []],
        "rehearsed": row["rehearsal_id"] is not None,
        "pinned": None,
    }
    if row["pinned_at"] is not None:
        shown["pinned"] = {"at": row["pinned_at"], "by": view.label(view.coach_id),
                           "note": await reveal(deps.sealer, ctx.tenant_id, row["pin_note"])}
    if row["hidden"]:
        shown["hidden"] = {"by": row["hidden_by"]}
    return shown


async def feed(deps: Community, ctx: CommandContext, space_id: str, *, limit: int,
               cursor: str | None) -> dict[str, Any]:
    view = await _view(deps, ctx, space_id, "read_feed")
    args: list[Any] = [ctx.tenant_id, space_id, ctx.actor.id, view.viewer_is_coach, limit]
    page_filter = ""
    if cursor:
        at, post_id = decode_cursor(cursor)
        page_filter = " AND (p.feed_at, p.post_id) < ($6, $7)"
        args += [at, post_id]
    async with deps.pool.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT {POST_COLUMNS} FROM posts p WHERE p.tenant_id = $1 AND p.space_id = $2"
            f" AND {VISIBLE} AND p.pinned_at IS NULL{page_filter}"
            " ORDER BY p.feed_at DESC, p.post_id DESC LIMIT $5", *args)
        pinned = [] if cursor else await conn.fetch(
            f"SELECT {POST_COLUMNS} FROM posts p WHERE p.tenant_id = $1 AND p.space_id = $2"
            f" AND {VISIBLE} AND p.pinned_at IS NOT NULL ORDER BY p.pinned_at DESC LIMIT $5",
            *args[:5])
        unread = await conn.fetchval(
            "SELECT count(*) FROM (SELECT 1 FROM posts WHERE tenant_id = $1 AND space_id = $2"
            " AND feed_at > coalesce((SELECT read_up_to FROM members WHERE tenant_id = $1"
            " AND space_id = $2 AND user_id = $3), '-infinity') AND author_id <> $3"
            " AND NOT withdrawn AND NOT hidden LIMIT $4) u",
            ctx.tenant_id, space_id, ctx.actor.id, UNREAD_CAP)
    authors = {r["author_id"] for r in [*rows, *pinned]}
    await deps.record_read(ctx, "space_feed", space_id, authors)
    items = [await item(deps, ctx, view, r) for r in rows]
    return {"space_id": space_id, "pinned": [await item(deps, ctx, view, r) for r in pinned],
            "items": items, "unread": unread, "unread_capped": unread >= UNREAD_CAP,
            "next_cursor": encode_cursor(rows[-1]["feed_at"], rows[-1]["post_id"])
            if len(rows) == limit else None}


async def post(deps: Community, ctx: CommandContext, space_id: str,
               post_id: str) -> dict[str, Any]:
    view = await _view(deps, ctx, space_id, "read_post")
    async with deps.pool.acquire() as conn:
        row = await conn.fetchrow(
            f"SELECT {POST_COLUMNS} FROM posts p WHERE p.tenant_id = $1 AND p.space_id = $2"
            f" AND p.post_id = $5 AND {VISIBLE}", ctx.tenant_id, space_id, ctx.actor.id,
            view.viewer_is_coach, post_id)
        if row is None:
            raise NotFound("there is no such post")
        comments = await conn.fetch(
            "SELECT comment_id, author_id, parent_id, body, created_at FROM comments"
            " WHERE tenant_id = $1 AND post_id = $2 AND NOT withdrawn ORDER BY created_at",
            ctx.tenant_id, post_id)
    await deps.record_read(ctx, "post", post_id,
                           {row["author_id"], *(c["author_id"] for c in comments)})
    shown = await item(deps, ctx, view, row)
    replies: dict[str, list[dict[str, Any]]] = {}
    top: list[dict[str, Any]] = []
    for c in comments:
        entry = {"comment_id": c["comment_id"], "author": view.label(c["author_id"]),
                 "body": await reveal(deps.sealer, ctx.tenant_id, c["body"]),
                 "at": c["created_at"]}
        if c["parent_id"] is None:
            top.append({**entry, "replies": replies.setdefault(c["comment_id"], [])})
        else:
            replies.setdefault(c["parent_id"], []).append(entry)
    return {**shown, "comment_thread": top}
