"""Dependencies of engagement's routes: the wired application, the caller's command context
(the rest comes from the service kit)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from interlude.engagement.app.deps import Engagement
from interlude.shared.auth import Principal, require_roles
from interlude.shared.events.envelope import CommandContext
from interlude.shared.kit import (
    After,
    IdempotencyKey,
    ItemId,
    app_dependency,
    caught_up,
    context_dependency,
    problems,
)

__all__ = [
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

# the problems a route may answer besides 503 (declared on every route, for /openapi.json): a
# read is refused (401, 403), finds nothing the caller may see (404) or a bad parameter (422);
# a write also meets the contract's state (409) and a body too large (413)
READS = problems(401, 403, 404, 422)
WRITES = problems(401, 403, 404, 409, 413, 422)
