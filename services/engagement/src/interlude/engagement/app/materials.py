"""Materials a coach shares with a coachee in their contract (``materials.enabled``): share,
open, mark done with a reflection; the list, read by the contract's two parties."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from interlude.engagement.app.deps import Engagement, Written
from interlude.engagement.domain import events as ev
from interlude.engagement.domain import material as domain
from interlude.engagement.domain.contract import Contract, content_party
from interlude.engagement.domain.material import Material
from interlude.engagement.projections import queries
from interlude.shared.events.envelope import CommandContext
from interlude.shared.events.registry import Event
from interlude.shared.projections.sealed import reveal

KEY = "materials.enabled"


async def share(deps: Engagement, ctx: CommandContext, contract_id: str, *,
                kind: ev.MaterialKind, title: str, url: str | None, note: str | None,
                idempotency_key: str | None = None) -> Written:
    material_id = deps.new_id(ctx, "material", idempotency_key)
    await deps.enforce(ctx, KEY, "share", "material", material_id)
    contract = await deps.contract(ctx.tenant_id, contract_id)
    events = domain.share(contract, contract_id, ctx.actor.id, kind, title, url, note)
    result = await deps.materials.create(ctx.tenant_id, material_id, events, ctx,
                                         idempotency_key)
    return Written(material_id, result.position)


async def _mark(deps: Engagement, ctx: CommandContext, contract_id: str, material_id: str,
                action: str, decide: Callable[[Material, Contract], list[Event]]) -> Written:
    await deps.enforce(ctx, KEY, action, "material", material_id)
    contract = await deps.contract(ctx.tenant_id, contract_id)
    position = await deps.materials.execute_position(ctx.tenant_id, material_id,
                                                     lambda s: decide(s, contract), ctx)
    return Written(material_id, position)


async def opened(deps: Engagement, ctx: CommandContext, contract_id: str,
                 material_id: str) -> Written:
    return await _mark(deps, ctx, contract_id, material_id, "open", lambda s, c: domain.opened(
        s, c, contract_id, ctx.actor.id))


async def done(deps: Engagement, ctx: CommandContext, contract_id: str, material_id: str,
               reflection: str | None) -> Written:
    return await _mark(deps, ctx, contract_id, material_id, "done", lambda s, c: domain.done(
        s, c, contract_id, ctx.actor.id, reflection))


async def list_(deps: Engagement, ctx: CommandContext, contract_id: str) -> dict[str, Any]:
    await deps.enforce(ctx, KEY, "read", "materials", contract_id)
    contract = await deps.contract(ctx.tenant_id, contract_id)
    content_party(contract, ctx.actor.id)
    rows = await queries.materials(deps.pool, ctx.tenant_id, contract_id)
    tenant, sealer = ctx.tenant_id, deps.sealer
    found = [{"id": r["material_id"], "kind": r["kind"],
              **{f: await reveal(sealer, tenant, r[f])
                 for f in ("title", "url", "note", "reflection")},
              "shared_at": r["shared_at"], "opened_at": r["opened_at"],
              "done_at": r["done_at"]} for r in rows]
    await deps.record_read(ctx, "materials", contract_id, contract.coachee_id)
    return {"materials": found}
