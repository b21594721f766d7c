"""Dependencies of community's routes: the kit's (the wired application, the caller's command
context, ``Idempotency-Key``, item ids, ``?after=``), named for community."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Depends, Request

from interlude.community.app.across import host_context
from interlude.community.app.deps import Community
from interlude.shared.events.envelope import CommandContext
from interlude.shared.kit import (
    ID_PATTERN,
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    After,
    IdempotencyKey,
    ItemId,
    app_dependency,
    caught_up,
    context_dependency,
)

__all__ = ["READ", "READ_PROBLEMS", "WRITE_PROBLEMS", "After", "CommunityDep", "ContextDep",
           "IdempotencyKey", "ItemId", "OwnContextDep", "SpaceId", "caught_up"]

CommunityDep = Annotated[Community, Depends(app_dependency("community"))]
OwnContextDep = Annotated[CommandContext, Depends(context_dependency("community"))]


async def _context(ctx: OwnContextDep, deps: CommunityDep, request: Request) -> CommandContext:
    """The caller's context; for a route of one space, that space's organisation's, when it
    is a circle of another organisation the caller takes part in (ADR 0015)."""
    space_id = request.path_params.get("space_id")
    # read before the route validates it: an id that is no id (a NUL in it, which PostgreSQL's
    # text cannot hold) is left for the route's 422, not looked up
    if space_id is None or re.fullmatch(ID_PATTERN, space_id) is None:
        return ctx
    return await host_context(deps, ctx, space_id)


ContextDep = Annotated[CommandContext, Depends(_context)]
SpaceId = ItemId

# a read answers only the fields it has (a label's revealed_name, a post's hidden, a notice's
# reason appear where they apply), as it did before answers were typed
READ: dict[str, Any] = {"response_model_exclude_unset": True, "responses": READ_PROBLEMS}
