"""Dependencies of notify's routes: the kit's (the wired application, the caller's command
context, item ids, ``?after=``), named for notify, and the live feed of the inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from interlude.notify.app.deps import Notify
from interlude.notify.app.live import Live
from interlude.shared.events.envelope import CommandContext
from interlude.shared.kit import (
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    After,
    ItemId,
    app_dependency,
    caught_up,
    context_dependency,
)

__all__ = ["READ_PROBLEMS", "WRITE_PROBLEMS", "After", "ContextDep", "ItemId", "LiveDep",
           "NotifyDep", "caught_up"]

NotifyDep = Annotated[Notify, Depends(app_dependency("notify"))]
ContextDep = Annotated[CommandContext, Depends(context_dependency("notify"))]


async def _live(request: Request) -> Live:
    live: Live = request.app.state.live
    return live

LiveDep = Annotated[Live, Depends(_live)]
