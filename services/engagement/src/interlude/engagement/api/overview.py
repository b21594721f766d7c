"""The coach dashboard and the sponsor's programme figures."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from interlude.engagement.api.deps import (
    After,
    CoachDep,
    ContextDep,
    EngagementDep,
    SponsorDep,
    caught_up,
)
from interlude.engagement.app import overview
from interlude.engagement.app import sponsor as sponsoring

router = APIRouter(prefix="/v1", tags=["overview"])


@router.get("/dashboard")
async def dashboard(coach: CoachDep, ctx: ContextDep, deps: EngagementDep, request: Request,
                    after: After = 0) -> dict[str, Any]:
    """Per coachee: check-ins and streak, waiting messages and overdue replies, sessions held
    against planned and the next one, goals and experiments in progress, community activity
    this week and insights pinned; whoever needs attention first. A feature the organisation
    switched off (check-ins, messaging, community) leaves its facts out, of the attention score
    and its reasons too, and is named in ``blocked``."""
    fresh = await caught_up(request, after)
    return {**await overview.dashboard(deps, ctx), "fresh": fresh}


@router.get("/sponsor/figures")
async def sponsor_figures(sponsor: SponsorDep, ctx: ContextDep, deps: EngagementDep,
                          request: Request, after: After = 0) -> dict[str, Any]:
    """Per programme the caller sponsors, what the contracts let a sponsor see; any figure
    over fewer than five people is suppressed."""
    fresh = await caught_up(request, after)
    return {**await sponsoring.sponsor_figures(deps, ctx), "fresh": fresh}
