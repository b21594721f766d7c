"""What notify's command and query handlers work with, wired once in ``wiring.py``: the kit's
:class:`ServiceApp` (context, ids, enforcement, read auditing) plus the notification
aggregate."""

from __future__ import annotations

from dataclasses import dataclass

from interlude.notify.domain.notification import Notification
from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import CommandContext
from interlude.shared.eventstore.base import EventStore
from interlude.shared.eventstore.repository import Repository
from interlude.shared.kit import Enforcer, ServiceApp, Written
from interlude.shared.policy import SecurityPolicy

__all__ = ["CHANNELS", "Enforcer", "Notify", "Written"]
CHANNELS = "notify.channels"


@dataclass(kw_only=True)
class Notify(ServiceApp):
    notifications: Repository[Notification]
    store: EventStore
    codec: EventCodec

    def inbox_open(self, tenant_id: str) -> bool:
        """Whether the organisation's ``notify.channels`` still holds ``in_app`` (from memory,
        no access event: a stream asks it before each delivery)."""
        known = self.policy.policy(tenant_id)
        return known is not None and "in_app" in known.notify_channels

    async def enforce_in_app(self, ctx: CommandContext, action: str,
                             resource_id: str) -> SecurityPolicy:
        """``notify.channels`` must hold ``in_app`` for any route of the inbox: 403 naming the
        block (and an access event) when the organisation has removed it."""
        known = self.policy.policy(ctx.tenant_id)
        channels = known.notify_channels if known is not None else ()
        return await self.policy.enforce_choice(
            ctx.tenant_id, CHANNELS, [channels] if "in_app" in channels else [],
            actor=ctx.actor, action=action, resource_type="notification",
            resource_id=resource_id)
