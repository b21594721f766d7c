"""The coach dashboard and the sponsor's programme figures."""

from __future__ import annotations

from fastapi import APIRouter, Request

from interlude.engagement.api.deps import (
    READS,
    After,
    CoachDep,
    ContextDep,
    EngagementDep,
    SponsorDep,
    caught_up,
)
from interlude.engagement.api.public import DashboardPublic, SponsorFiguresPublic, answer
from interlude.engagement.app import overview
from interlude.engagement.app import sponsor as sponsoring

router = APIRouter(prefix="/v1", tags=["overview"])


@router.get("/dashboard", response_model=DashboardPublic, response_model_exclude_unset=True,
            responses=READS)
async def dashboard(coach: CoachDep, ctx: ContextDep, deps: EngagementDep, request: Request,
                    after: After = 0) -> DashboardPublic:
    """Per coachee: check-ins and streak, waiting messages and overdue replies, sessions held
    against planned and the next one, goals and experiments in progress, community activity
    this week and insights pinned; whoever needs attention first. A feature the organisation
    switched off (check-ins, messaging, community) leaves its facts out, of the attention score
    and its reasons too, and is named in ``blocked``."""
    fresh = await caught_up(request, after)
    return answer(DashboardPublic, await overview.dashboard(deps, ctx), fresh)


@router.get("/sponsor/figures", response_model=SponsorFiguresPublic,
            response_model_exclude_unset=True, responses=READS)
async def sponsor_figures(sponsor: SponsorDep, ctx: ContextDep, deps: EngagementDep,
                          request: Request, after: After = 0) -> SponsorFiguresPublic:
    """Per programme the caller sponsors, what the contracts let a sponsor see; any figure
    over fewer than five people is suppressed."""
    fresh = await caught_up(request, after)
    return answer(SponsorFiguresPublic, await sponsoring.sponsor_figures(deps, ctx), fresh)
