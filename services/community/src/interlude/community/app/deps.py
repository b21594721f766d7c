"""What community's command and query handlers work with, wired once in ``wiring.py``: the
kit's :class:`ServiceApp` (context, ids, enforcement, read auditing) plus community's
aggregates."""

from __future__ import annotations

from dataclasses import dataclass

from interlude.community.domain.material import CohortMaterial
from interlude.community.domain.pace import Pace
from interlude.community.domain.post import Post
from interlude.community.domain.reading import Reading
from interlude.community.domain.rehearsal import Rehearsal
from interlude.community.domain.space import Space, require
from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import CommandContext
from interlude.shared.eventstore.base import EventStore
from interlude.shared.eventstore.repository import Repository
from interlude.shared.kit import Enforcer, ServiceApp, Written
from interlude.shared.policy import SecurityPolicy

__all__ = ["KEY", "Community", "Enforcer", "Written"]
KEY = "community.enabled"


@dataclass(kw_only=True)
class Community(ServiceApp):
    spaces: Repository[Space]
    posts: Repository[Post]
    rehearsals: Repository[Rehearsal]
    readings: Repository[Reading]
    paces: Repository[Pace]
    materials: Repository[CohortMaterial]
    store: EventStore
    codec: EventCodec
    reports_to_hide: int = 3

    def handle(self, tenant_id: str, space_id: str, user_id: str) -> str:
        """How peers refer to a member of a space: stable, and no way back to the user id."""
        return "m" + self.derive("handle", tenant_id, space_id, user_id, length=15)

    async def enforce_enabled(self, ctx: CommandContext, action: str, resource_type: str,
                              resource_id: str) -> SecurityPolicy:
        """``community.enabled`` (every route asks first): 403 naming the block when off."""
        return await self.enforce(ctx, KEY, action, resource_type, resource_id)

    async def space(self, tenant_id: str, space_id: str) -> Space:
        """The space as it stands now (who is in it decides every read and command)."""
        return require((await self.spaces.current(tenant_id, space_id)).state)
