"""Drawing in the quiet ones: the coach of a cohort sees who has read it in the last two weeks
without posting, commenting or reacting (names only to the coach, as the coach sees them;
never to peers; never what they read), and sends one of them a gentle invitation that
arrives as a notification. A coachee who withdrew the consent ``counted_when_quiet`` (in
engagement) is never counted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from interlude.community.app.deps import Community, Written
from interlude.community.app.feed import view_for
from interlude.community.app.spaces import execute
from interlude.community.domain import space as domain
from interlude.community.domain.errors import NotAllowed
from interlude.community.projections import queries
from interlude.shared.events.envelope import CommandContext

WINDOW = timedelta(days=14)


async def quiet(deps: Community, ctx: CommandContext, space_id: str) -> list[dict[str, Any]]:
    view = await view_for(deps, ctx, space_id, "read_quiet_members")
    if not view.viewer_is_coach:
        raise NotAllowed("only the space's coach sees who reads without posting")
    rows = await queries.quiet_members(deps.pool, ctx.tenant_id, space_id, ctx.now - WINDOW)
    await deps.record_read(ctx, "quiet_members", space_id, {r["user_id"] for r in rows})
    return [{"member": view.label(r["user_id"]), "last_read_at": r["read_up_to"],
             "last_active_at": r["last_active_at"], "invited_at": r["quiet_invited_at"]}
            for r in rows]


async def invite(deps: Community, ctx: CommandContext, space_id: str, handle: str) -> Written:
    """The coach's gentle invitation to a quiet member (notify tells them)."""
    await deps.enforce_enabled(ctx, "invite_quiet_member", "space", space_id)
    await deps.space(ctx.tenant_id, space_id)
    return await execute(deps, ctx, space_id,
                         lambda s: domain.invite_quiet(s, ctx.actor.id, handle))
