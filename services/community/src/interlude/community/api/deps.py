"""Dependencies of community's routes: the kit's (the wired application, the caller's command
context, ``Idempotency-Key``, item ids, ``?after=``), named for community."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from interlude.community.app.deps import Community
from interlude.shared.events.envelope import CommandContext
from interlude.shared.kit import (
    After,
    IdempotencyKey,
    ItemId,
    app_dependency,
    caught_up,
    context_dependency,
)

__all__ = ["After", "CommunityDep", "ContextDep", "IdempotencyKey", "ItemId", "SpaceId",
           "caught_up"]

CommunityDep = Annotated[Community, Depends(app_dependency("community"))]
ContextDep = Annotated[CommandContext, Depends(context_dependency("community"))]
SpaceId = ItemId
