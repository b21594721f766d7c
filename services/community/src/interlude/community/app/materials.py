"""Materials a space's coach shares with its members (``materials.enabled``, as for a
coachee's contract, and ``community.enabled``): share, open, mark done; the list for members
(each with their own progress) and, for the coach alone, who opened and did each one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from interlude.community.app.deps import Community, Written
from interlude.community.app.feed import view_for
from interlude.community.domain import events as ev
from interlude.community.domain import material as domain
from interlude.community.domain.material import CohortMaterial
from interlude.community.domain.space import Space
from interlude.community.projections import materials as queries
from interlude.shared.events.envelope import CommandContext
from interlude.shared.events.registry import Event
from interlude.shared.projections.sealed import reveal

KEY = "materials.enabled"


async def _enforce(deps: Community, ctx: CommandContext, action: str, resource_id: str) -> None:
    await deps.enforce_enabled(ctx, action, "cohort_material", resource_id)
    await deps.enforce(ctx, KEY, action, "cohort_material", resource_id)


async def share(deps: Community, ctx: CommandContext, space_id: str, *, kind: ev.MaterialKind,
                title: str, url: str | None, note: str | None,
                idempotency_key: str | None = None) -> Written:
    material_id = deps.new_id(ctx, "cohort_material", idempotency_key)
    await _enforce(deps, ctx, "share_material", material_id)
    space = await deps.space(ctx.tenant_id, space_id)
    events = domain.share(space, space_id, ctx.actor.id, kind, title, url, note)
    result = await deps.materials.create(ctx.tenant_id, material_id, events, ctx,
                                         idempotency_key)
    return Written(material_id, result.position)


async def _mark(deps: Community, ctx: CommandContext, space_id: str, material_id: str,
                action: str, decide: Callable[[CohortMaterial, Space], list[Event]]) -> Written:
    await _enforce(deps, ctx, action, material_id)
    space = await deps.space(ctx.tenant_id, space_id)
    position = await deps.materials.execute_position(ctx.tenant_id, material_id,
                                                     lambda s: decide(s, space), ctx)
    return Written(material_id, position)


async def opened(deps: Community, ctx: CommandContext, space_id: str,
                 material_id: str) -> Written:
    return await _mark(deps, ctx, space_id, material_id, "open_material",
                       lambda s, space: domain.opened(s, space, space_id, ctx.actor.id))


async def done(deps: Community, ctx: CommandContext, space_id: str,
               material_id: str) -> Written:
    return await _mark(deps, ctx, space_id, material_id, "mark_material_done",
                       lambda s, space: domain.done(s, space, space_id, ctx.actor.id))


async def list_(deps: Community, ctx: CommandContext, space_id: str) -> list[dict[str, Any]]:
    """Newest first. A member sees when they opened and did each; the coach sees, per
    material, every member (as the coach may name them) with when they opened and did it."""
    await _enforce(deps, ctx, "read_materials", space_id)
    view = await view_for(deps, ctx, space_id, "read_materials")
    rows, progress = await queries.of_space(deps.pool, ctx.tenant_id, space_id)
    members = [u for u, m in view.members.items() if m["status"] == "joined"
               and m["role"] != "coach"]
    found = []
    for row in rows:
        mine = {p["user_id"]: p for p in progress if p["material_id"] == row["material_id"]}
        shown: dict[str, Any] = {
            "material_id": row["material_id"], "kind": row["kind"],
            **{f: await reveal(deps.sealer, ctx.tenant_id, row[f]) for f in ("title", "url",
                                                                             "note")},
            "shared_at": row["shared_at"], "shared_by": view.label(row["coach_id"]),
            "opened_at": None, "done_at": None, "progress": None}
        if view.viewer_is_coach:
            shown["progress"] = [{"member": view.label(u),
                                  "opened_at": (mine.get(u) or {}).get("opened_at"),
                                  "done_at": (mine.get(u) or {}).get("done_at")}
                                 for u in members]
        elif (own := mine.get(ctx.actor.id)) is not None:
            shown |= {"opened_at": own["opened_at"], "done_at": own["done_at"]}
        found.append(shown)
    # whose content was read (the coach's, by a member), and whose progress (the coach's view)
    watched = {p["user_id"] for p in progress} if view.viewer_is_coach else set()
    await deps.record_read(ctx, "cohort_materials", space_id,
                           ({r["coach_id"] for r in rows} | watched) - {ctx.actor.id})
    return found
