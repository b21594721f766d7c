"""Reading the inbox: the caller's own notifications, newest first, shown as they may see them.
Whoever did it is named by pseudonym where the notification came from a pseudonymous space,
else by the name in notify's copy of the people ("former member" once forgotten); the excerpt
and topic are opened for the recipient only (every row read is theirs), and reading them
leaves an access event naming whose content it was."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Protocol

import asyncpg

from interlude.notify.app.deps import Notify
from interlude.notify.app.live import Live
from interlude.notify.app.wording import says
from interlude.notify.projections import queries
from interlude.notify.projections.policies import notify_policy
from interlude.shared import directory
from interlude.shared.events.envelope import CommandContext
from interlude.shared.kit import utc_now
from interlude.shared.projections.sealed import reveal

FORMER, SOMEONE = "former member", "someone"
IDLE_POLL = 15.0  # a live stream looks again after this long even if nothing woke it


async def _shown(deps: Notify, ctx: CommandContext,
                 rows: list[asyncpg.Record]) -> list[dict[str, Any]]:
    """``rows`` as their recipient sees them, once the access event naming whose content they
    hold is recorded. The record (an append, flushed to disk) goes out first and is awaited
    last: the look-ups and the opening of the content happen meanwhile, and nothing is shown
    before it is recorded."""
    policy = await notify_policy(deps.pool, ctx.tenant_id)
    withheld = {r["notification_id"] for r in rows if policy is None or not policy.tells(r["kind"])}
    subjects = {_subject(r[field]) for r in rows for field in ("topic", "excerpt")
                if r[field] is not None and r["notification_id"] not in withheld}
    recording = asyncio.ensure_future(
        deps.record_read(ctx, "notifications", ctx.actor.id, subjects))
    try:
        shown = await _opened(deps, ctx, rows, withheld)
    except BaseException:
        recording.cancel()
        with contextlib.suppress(BaseException):
            await recording
        raise
    await recording
    return shown


async def _opened(deps: Notify, ctx: CommandContext, rows: list[asyncpg.Record],
                  withheld: set[str]) -> list[dict[str, Any]]:
    """The rows shown; those in ``withheld`` (about a feature the organisation switched off
    since) without their content, which stays sealed: what happened, not what was said."""
    named = {r["actor_id"] for r in rows if r["actor_id"] and not r["actor_pseudonym"]}
    in_spaces = {r["space_id"] for r in rows if r["space_id"]}
    # a look-up only for what the rows need: a live stream shows most rows one at a time
    names = await directory.names(deps.pool, deps.sealer, ctx.tenant_id, named) if named else {}
    spaces = await queries.space_names(deps.pool, ctx.tenant_id, in_spaces) if in_spaces else {}
    shown = []
    for r in rows:
        if r["actor_pseudonym"]:
            actor: dict[str, Any] | None = {"name": r["actor_pseudonym"], "pseudonym": True}
        elif r["actor_id"] and r["actor_id"] in names:
            actor = {"name": names[r["actor_id"]] or FORMER, "pseudonym": False}
        else:
            actor = None
        opened = {field: None if r["notification_id"] in withheld
                  else await reveal(deps.sealer, ctx.tenant_id, r[field])
                  for field in ("topic", "excerpt")}
        shown.append({
            "id": r["notification_id"], "seq": r["seq"], "kind": r["kind"],
            "text": says(r["kind"], actor["name"] if actor else SOMEONE),
            "at": r["occurred_at"], "read": r["read_at"] is not None, "actor": actor,
            "link": r["link"], "contract_id": r["contract_id"], "item_id": r["item_id"],
            "space": {"space_id": r["space_id"], "name": spaces.get(r["space_id"])}
            if r["space_id"] else None, **opened})
    return shown


def _subject(stored: str | dict[str, Any]) -> str:
    value = json.loads(stored) if isinstance(stored, str) else stored
    return str(value["sealed"].get("sub") or "unknown")


async def notifications(deps: Notify, ctx: CommandContext, *, limit: int, before: int | None,
                        unread_only: bool) -> dict[str, Any]:
    """A page of the caller's inbox, newest first; ``next`` continues it (keyset)."""
    await deps.enforce_in_app(ctx, "list_notifications", ctx.actor.id)
    rows = await queries.inbox_page(deps.pool, ctx.tenant_id, ctx.actor.id, limit=limit,
                                    before=before, unread_only=unread_only)
    return {"notifications": await _shown(deps, ctx, rows),
            "next": rows[-1]["seq"] if len(rows) == limit else None,
            "unread": await queries.unread_count(deps.pool, ctx.tenant_id, ctx.actor.id)}


async def unread(deps: Notify, ctx: CommandContext) -> int:
    await deps.enforce_in_app(ctx, "count_notifications", ctx.actor.id)
    return await queries.unread_count(deps.pool, ctx.tenant_id, ctx.actor.id)


class Standing(Protocol):
    """The caller of a stream, asked again while it runs (``interlude.shared.auth.Standing``):
    whether its token would still be let in, and when it expires."""

    until: datetime

    async def holds(self) -> bool: ...


async def live(deps: Notify, ctx: CommandContext, feed: Live, last_seen: int | None,
               standing: Standing) -> AsyncIterator[dict[str, Any]]:
    """The caller's notifications as they arrive, oldest first, from after ``last_seen`` (the
    last event id a dropped stream received) or from now; between them, ``{"news": ...}``:
    what was announced live for the caller (ids only) while the stream was open. It ends,
    before anything more is shown, once the caller no longer ``standing`` (their token
    expired, or they were deactivated or had their roles changed: a new request would be
    refused) or the organisation has closed the inbox (``notify.channels`` without
    ``in_app``); a client that still may comes back with a fresh token and its last event
    id, and misses nothing."""
    await deps.enforce_in_app(ctx, "stream_notifications", ctx.actor.id)
    position = last_seen if last_seen is not None else \
        await queries.latest_seq(deps.pool, ctx.tenant_id, ctx.actor.id)
    return _following(deps, ctx, feed, position, standing)


async def _following(deps: Notify, ctx: CommandContext, feed: Live, position: int,
                     standing: Standing) -> AsyncIterator[dict[str, Any]]:
    with feed.watching(ctx.tenant_id, ctx.actor.id) as woken:
        while True:
            woken.clear()  # before the query: whatever lands during it wakes the next wait
            rows = await queries.inbox_since(deps.pool, ctx.tenant_id, ctx.actor.id, position)
            if not (deps.inbox_open(ctx.tenant_id) and await standing.holds()):
                return
            for shown in await _shown(deps, ctx, rows):
                position = shown["seq"]
                yield shown
            for told in woken.take_news():
                yield {"news": told}
            if not rows:
                left = (standing.until - utc_now()).total_seconds()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(0.0, min(IDLE_POLL, left))):
                        await woken.wait()
