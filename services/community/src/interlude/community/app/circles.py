"""Coaches' peer circles that find each other: a coach finds the organisation's findable
circles by methodology, client challenge or context, asks to join with a note, and any member
of the circle admits (an invitation the coach accepts by joining) or declines. Circles of other
organisations are shown only where both organisations allow circles across organisations
(``app/across.py``)."""

from __future__ import annotations

from typing import Any

from interlude.community.app import across
from interlude.community.app.deps import Community, Written
from interlude.community.app.feed import view_for
from interlude.community.app.spaces import execute
from interlude.community.domain import space as domain
from interlude.community.domain.errors import NotAllowed, NotFound
from interlude.community.projections import queries
from interlude.shared.events.envelope import CommandContext
from interlude.shared.projections.sealed import reveal

COACH = "coach"


def _term(value: str | None) -> str | None:
    """A search term matched as a literal part of the field (its LIKE wildcards escaped)."""
    if value is None or not value.strip():
        return None
    return value.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def find(deps: Community, ctx: CommandContext, *, challenge: str | None,
               methodology: str | None, text: str | None, limit: int) -> list[dict[str, Any]]:
    await deps.enforce_enabled(ctx, "find_circles", "space", ctx.tenant_id)
    if COACH not in ctx.actor.roles:
        raise NotAllowed("peer circles are for coaches; ask your coach about their cohorts")
    rows = await queries.circles(deps.pool, ctx.tenant_id, ctx.actor.id,
                                 challenge=_term(challenge), methodology=_term(methodology),
                                 text=_term(text), limit=limit,
                                 elsewhere=await across.other_organisations(deps, ctx))
    return [{**dict(r), "challenges": list(r["challenges"]),
             "you": r["you"] if r["you"] in ("asked", "invited", "joined") else None}
            for r in rows]


async def ask(deps: Community, ctx: CommandContext, space_id: str,
              note: str | None, home_tenant: str | None = None) -> Written:
    """A coach asks to join a findable circle of their organisation (or, ``home_tenant``
    theirs, of another one: ADR 0015)."""
    await deps.enforce_enabled(ctx, "ask_to_join", "space", space_id)
    if COACH not in ctx.actor.roles:
        raise NotFound("there is no such circle")
    await deps.space(ctx.tenant_id, space_id)
    handle = deps.handle(ctx.tenant_id, space_id, ctx.actor.id)
    return await execute(deps, ctx, space_id,
                         lambda s: domain.ask_to_join(s, ctx.actor.id, handle, note,
                                                      home_tenant))


async def admit(deps: Community, ctx: CommandContext, space_id: str, handle: str) -> Written:
    await deps.enforce_enabled(ctx, "admit_to_circle", "space", space_id)
    await deps.space(ctx.tenant_id, space_id)
    return await execute(deps, ctx, space_id,
                         lambda s: domain.admit(s, ctx.actor.id, handle))


async def decline(deps: Community, ctx: CommandContext, space_id: str, handle: str) -> Written:
    await deps.enforce_enabled(ctx, "decline_circle_request", "space", space_id)
    await deps.space(ctx.tenant_id, space_id)
    return await execute(deps, ctx, space_id,
                         lambda s: domain.decline(s, ctx.actor.id, handle))


async def requests(deps: Community, ctx: CommandContext,
                   space_id: str) -> list[dict[str, Any]]:
    """Who asks to join, for the circle's members: their handle, their name where the circle
    shows names (a pseudonymous one shows "a coach of your organisation", or of another one,
    as the reader's organisation and theirs compare: ADR 0015), their note."""
    view = await view_for(deps, ctx, space_id, "read_join_requests")
    rows = await queries.join_requests(deps.pool, ctx.tenant_id, space_id)
    reader_from = (view.members.get(ctx.actor.id) or {}).get("home_tenant")
    found = []
    for row in rows:
        name = None if view.pseudonymous else await reveal(deps.sealer, ctx.tenant_id,
                                                           row["display_name"])
        ours = row["home_tenant"] == reader_from
        found.append({"handle": row["handle"], "asked_at": row["asked_at"],
                      "name": name or f"a coach of {'your' if ours else 'another'} organisation",
                      "note": await reveal(deps.sealer, ctx.tenant_id, row["request_note"])})
    await deps.record_read(ctx, "join_requests", space_id, {r["user_id"] for r in rows
                                                            if r["request_note"]})
    return found
