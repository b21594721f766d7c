"""Dependencies of engagement's routes: the wired application, the caller's command context,
read-your-writes waits."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request

from interlude.engagement.app.deps import Engagement
from interlude.engagement.wiring import VIEWS
from interlude.shared.auth import Principal, PrincipalDep, require_roles
from interlude.shared.events.envelope import CommandContext

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


async def engagement(request: Request) -> Engagement:  # async: no thread hop per request
    return request.app.state.engagement


EngagementDep = Annotated[Engagement, Depends(engagement)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
ContractId = Annotated[str, Path(pattern=ID_PATTERN)]
ItemId = Annotated[str, Path(pattern=ID_PATTERN)]
After = Annotated[int, Query(ge=0, description="a position a write answered: wait until "
                                                "this read reflects it")]


async def context(principal: PrincipalDep, request: Request) -> CommandContext:
    """The caller's context: tenant and actor from the token, never from the body."""
    deps: Engagement = request.app.state.engagement
    return deps.context(principal.tenant_id, principal.actor,
                        policy_version=principal.policy_version)


ContextDep = Annotated[CommandContext, Depends(context)]
CoachDep = Annotated[Principal, Depends(require_roles("coach"))]
SponsorDep = Annotated[Principal, Depends(require_roles("sponsor"))]


async def caught_up(request: Request, after: int) -> bool:
    """Wait (bounded) until the read models have seen position ``after`` of engagement's
    stream; False if they have not within 5 s (the answer says ``fresh: false``)."""
    if not after:
        return True
    return await request.app.state.waiter.wait(VIEWS, request.app.state.engagement_stream,
                                               after, timeout=5.0)
