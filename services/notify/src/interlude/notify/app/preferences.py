"""The person's own preferences: read and set them, and the one-click unsubscribe from an
e-mail (no sign-in: the signed token says who and what)."""

from __future__ import annotations

from interlude.notify.app.outbound import Outbound
from interlude.notify.domain import preferences as domain
from interlude.notify.domain import unsubscribe as tokens
from interlude.notify.domain.events import QuietHours
from interlude.notify.projections import preferences as view
from interlude.shared import directory
from interlude.shared.errors import NotFound
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.kit import Written


async def change(deps: Outbound, ctx: CommandContext, email: dict[str, str],
                 quiet_hours: QuietHours | None, time_zone: str, digest_hour: int) -> Written:
    user = ctx.actor.id
    position = await deps.preferences.execute_position(
        ctx.tenant_id, user,
        lambda state: domain.change(state, user, email, quiet_hours, time_zone, digest_hour), ctx)
    return Written(user, position)


async def read(deps: Outbound, ctx: CommandContext) -> domain.Preferences:
    return await view.preferences(deps.pool, ctx.tenant_id, ctx.actor.id)


async def unsubscribe(deps: Outbound, token: str) -> tuple[Written, str | None]:
    """``kind`` (or all, None) is never e-mailed again to the token's person."""
    wanted = tokens.read(deps.unsubscribe_secret, token)
    if await directory.person(deps.pool, wanted.tenant_id, wanted.user_id) is None:
        raise NotFound("this unsubscribe link names nobody we know")
    ctx = deps.context(wanted.tenant_id, Actor(id=wanted.user_id))
    position = await deps.preferences.execute_position(
        wanted.tenant_id, wanted.user_id,
        lambda state: domain.unsubscribe(state, wanted.user_id, wanted.kind), ctx)
    return Written(wanted.user_id, position), wanted.kind
