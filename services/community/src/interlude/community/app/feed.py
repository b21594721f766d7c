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
from interlude.community.projections import queries
from interlude.shared.events.envelope import CommandContext
from interlude.shared.projections.sealed import reveal

UNREAD_CAP = 100  # "99+" is as much as anyone needs to know


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


async def view_for(deps: Community, ctx: CommandContext, space_id: str, action: str) -> SpaceView:
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
    view = await view_for(deps, ctx, space_id, "read_feed")
    page = await queries.feed_page(deps.pool, ctx.tenant_id, space_id, ctx.actor.id,
                                 view.viewer_is_coach, limit=limit, unread_cap=UNREAD_CAP,
                                 after=decode_cursor(cursor) if cursor else None,
                                 read_up_to=view.members.get(ctx.actor.id, {}).get("read_up_to"))
    rows = page.rows
    await deps.record_read(ctx, "space_feed", space_id,
                           {r["author_id"] for r in [*rows, *page.pinned]})
    return {"space_id": space_id,
            "pinned": [await item(deps, ctx, view, r) for r in page.pinned],
            "items": [await item(deps, ctx, view, r) for r in rows],
            "unread": page.unread, "unread_capped": page.unread >= UNREAD_CAP,
            "next_cursor": encode_cursor(rows[-1]["feed_at"], rows[-1]["post_id"])
            if len(rows) == limit else None}


async def post(deps: Community, ctx: CommandContext, space_id: str,
               post_id: str) -> dict[str, Any]:
    view = await view_for(deps, ctx, space_id, "read_post")
    row, comments = await queries.post_with_comments(deps.pool, ctx.tenant_id, space_id,
                                                   ctx.actor.id, view.viewer_is_coach, post_id)
    if row is None:
        raise NotFound("there is no such post")
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
