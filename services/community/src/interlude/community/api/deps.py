"""Dependencies of community's routes: the kit's (the wired application, the caller's command
context, ``Idempotency-Key``, item ids, ``?after=``), named for community."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from interlude.community.app.deps import Community
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
)

__all__ = ["READ", "READ_PROBLEMS", "WRITE_PROBLEMS", "After", "CommunityDep", "ContextDep",
           "IdempotencyKey", "ItemId", "SpaceId", "caught_up"]

CommunityDep = Annotated[Community, Depends(app_dependency("community"))]
ContextDep = Annotated[CommandContext, Depends(context_dependency("community"))]
SpaceId = ItemId

# a read answers only the fields it has (a label's revealed_name, a post's hidden, a notice's
# reason appear where they apply), as it did before answers were typed
READ: dict[str, Any] = {"response_model_exclude_unset": True, "responses": READ_PROBLEMS}
