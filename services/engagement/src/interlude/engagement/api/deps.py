"""Dependencies of engagement's routes: the wired application, the caller's command context
(the rest comes from the service kit)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from interlude.engagement.app.deps import Engagement
from interlude.shared.auth import Principal, require_roles
from interlude.shared.events.envelope import CommandContext
from interlude.shared.kit import (
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    After,
    IdempotencyKey,
    ItemId,
    app_dependency,
    caught_up,
    context_dependency,
    problems,
)

__all__ = [
    "CHANNEL_READS",
    "READS",
    "WRITES",
    "After",
    "CoachDep",
    "ContextDep",
    "ContractId",
    "EngagementDep",
    "IdempotencyKey",
    "ItemId",
    "SponsorDep",
    "caught_up",
]

EngagementDep = Annotated[Engagement, Depends(app_dependency("engagement"))]
ContextDep = Annotated[CommandContext, Depends(context_dependency("engagement"))]
ContractId = ItemId
CoachDep = Annotated[Principal, Depends(require_roles("coach"))]
SponsorDep = Annotated[Principal, Depends(require_roles("sponsor"))]

READS, WRITES = READ_PROBLEMS, WRITE_PROBLEMS  # the kit's: see interlude.shared.kit.api
# a channel between sessions is read while the contract is active: before every party has
# signed it, or after its end, the read is refused as in conflict with its state (409)
CHANNEL_READS = problems(401, 403, 404, 409, 422)
