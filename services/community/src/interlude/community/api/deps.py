"""Dependencies of community's routes: the wired application, the caller's command context,
path parameters, read-your-writes waits."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request

from interlude.community.api.schemas import ID_PATTERN
from interlude.community.app.deps import Community
from interlude.community.wiring import VIEWS
from interlude.shared.auth import PrincipalDep
from interlude.shared.events.envelope import CommandContext


async def community(request: Request) -> Community:  # async: no thread hop per request
    return request.app.state.community


CommunityDep = Annotated[Community, Depends(community)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
SpaceId = Annotated[str, Path(pattern=ID_PATTERN)]
ItemId = Annotated[str, Path(pattern=ID_PATTERN)]
After = Annotated[int, Query(ge=0, description="a position a write answered: wait until "
                                                "this read reflects it")]


async def context(principal: PrincipalDep, request: Request) -> CommandContext:
    """The caller's context: tenant and actor from the token, never from the body."""
    deps: Community = request.app.state.community
    return deps.context(principal.tenant_id, principal.actor,
                        policy_version=principal.policy_version)


ContextDep = Annotated[CommandContext, Depends(context)]


async def caught_up(request: Request, after: int) -> bool:
    """Wait (bounded) until the read models have seen position ``after`` of community's
    stream; False if they have not within 5 s (the answer says ``fresh: false``)."""
    if not after:
        return True
    return await request.app.state.waiter.wait(VIEWS, request.app.state.community_stream,
                                               after, timeout=5.0)
