"""Dependencies of the outbound side's routes: its application object (``app.state.outbound``),
the caller's context, the org admin, and read-your-writes on its own read models."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from interlude.notify.app.outbound import VIEWS, Outbound
from interlude.shared.auth import Principal, require_roles
from interlude.shared.events.envelope import CommandContext
from interlude.shared.kit import (
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    After,
    IdempotencyKey,
    ItemId,
    ReadModels,
    app_dependency,
    context_dependency,
)

__all__ = ["READ_PROBLEMS", "WRITE_PROBLEMS", "AdminDep", "After", "ContextDep",
           "IdempotencyKey", "ItemId", "OutboundDep", "caught_up"]

OutboundDep = Annotated[Outbound, Depends(app_dependency("outbound"))]
ContextDep = Annotated[CommandContext, Depends(context_dependency("outbound"))]
AdminDep = Annotated[Principal, Depends(require_roles("org_admin"))]


async def caught_up(request: Request, deps: Outbound, after: int | None) -> bool:
    """Wait (bounded) until the outbound read models have seen ``after``."""
    return await ReadModels(request.app.state.waiter, VIEWS, deps.stream.name,
                            deps.store.last_position).caught_up(after)
