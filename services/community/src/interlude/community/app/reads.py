"""Reading the rest: the caller's spaces, one space with its members, the coach's moderation
queue and rehearsals (what members are told is notify's: its inbox)."""

from __future__ import annotations

import json
from typing import Any

from interlude.community.app.deps import Community
from interlude.community.app.feed import view_for
from interlude.community.domain.errors import NotAllowed, NotFound
from interlude.community.domain.rehearsal import seen_by
from interlude.community.projections import queries
from interlude.shared.events.envelope import CommandContext
from interlude.shared.projections.sealed import reveal


async def spaces(deps: Community, ctx: CommandContext) -> list[dict[str, Any]]:
    """The spaces the caller holds, belongs to or is invited to."""
    await deps.enforce_enabled(ctx, "list_spaces", "space", ctx.actor.id)
    rows = await queries.spaces_of(deps.pool, ctx.tenant_id, ctx.actor.id)
    return [dict(r) for r in rows]


async def space(deps: Community, ctx: CommandContext, space_id: str) -> dict[str, Any]:
    view = await view_for(deps, ctx, space_id, "read_space")
    visible = ("invited", "joined") if view.viewer_is_coach else ("joined",)
    members = [view.label(u) | {"status": r["status"]} for u, r in view.members.items()
               if r["status"] in visible]
    if not view.viewer_is_coach:  # whom the coach invited is the coach's business
        members = [m for m in members if m["status"] == "joined"]
    return {"space_id": space_id, "name": view.name, "description": view.description,
            "kind": view.kind, "pseudonymous": view.pseudonymous,
            "slow_mode_s": view.slow_mode_s, "you": view.you(),
            "elsewhere": view.viewer_is_guest,
            "members": sorted(members, key=lambda m: (m["role"] != "coach", m["name"]))}


async def reports(deps: Community, ctx: CommandContext, space_id: str) -> list[dict[str, Any]]:
    """The coach's moderation queue: reported or hidden posts, with the reasons given."""
    view = await view_for(deps, ctx, space_id, "read_reports")
    if not view.viewer_is_coach:
        raise NotAllowed("only the space's coach moderates")
    rows = await queries.reported(deps.pool, ctx.tenant_id, space_id)
    await deps.record_read(ctx, "space_reports", space_id, {r["author_id"] for r in rows})
    queue = []
    for r in rows:
        filed = [{"reporter": view.label(f["reporter"]), "at": f["at"],
                  "reason": await reveal(deps.sealer, ctx.tenant_id, f["reason"])}
                 for f in json.loads(r["filed"])]
        queue.append({"post_id": r["post_id"], "author": view.label(r["author_id"]),
                      "body": await reveal(deps.sealer, ctx.tenant_id, r["body"]),
                      "hidden": r["hidden"], "hidden_by": r["hidden_by"],
                      "open_reports": r["reports"], "reports": filed})
    return queue


async def _rehearsal(deps: Community, ctx: CommandContext, view: Any,
                     row: Any) -> dict[str, Any]:
    return {"rehearsal_id": row["rehearsal_id"], "kind": row["kind"],
            "author": view.label(row["author_id"]), "status": row["status"],
            "post_id": row["post_id"], "updated_at": row["updated_at"],
            "body": await reveal(deps.sealer, ctx.tenant_id, row["body"]),
            "feedback": [{"at": f["at"], "by": view.label(view.coach_id),
                          "body": await reveal(deps.sealer, ctx.tenant_id, f["body"])}
                         for f in json.loads(row["feedback"])]}


async def rehearsals(deps: Community, ctx: CommandContext,
                     space_id: str) -> list[dict[str, Any]]:
    """The caller's own rehearsals in the space; the coach sees everyone's."""
    view = await view_for(deps, ctx, space_id, "read_rehearsals")
    rows = await queries.rehearsals_for(deps.pool, ctx.tenant_id, space_id, ctx.actor.id)
    await deps.record_read(ctx, "rehearsals", space_id, {r["author_id"] for r in rows})
    return [await _rehearsal(deps, ctx, view, r) for r in rows]


async def rehearsal(deps: Community, ctx: CommandContext, space_id: str,
                    rehearsal_id: str) -> dict[str, Any]:
    view = await view_for(deps, ctx, space_id, "read_rehearsal")
    state = seen_by((await deps.rehearsals.load(ctx.tenant_id, rehearsal_id)).state,
                    ctx.actor.id)
    row = await queries.rehearsal(deps.pool, ctx.tenant_id, rehearsal_id)
    if row is None or state.space_id != space_id:
        raise NotFound("there is no such rehearsal")
    await deps.record_read(ctx, "rehearsal", rehearsal_id, {state.author_id})
    return await _rehearsal(deps, ctx, view, row)
