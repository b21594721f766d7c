"""The coach dashboard and the sponsor's programme figures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from interlude.engagement.api.deps import (
    READS,
    After,
    CoachDep,
    ContextDep,
    ContractId,
    EngagementDep,
    SponsorDep,
    caught_up,
)
from interlude.engagement.api.public import (
    DashboardLinePublic,
    DashboardPublic,
    SponsorFiguresPublic,
    answer,
)
from interlude.engagement.app import overview
from interlude.engagement.app import sponsor as sponsoring
from interlude.shared.kit import problems

router = APIRouter(prefix="/v1", tags=["overview"])
Limit = Annotated[int, Query(ge=1, le=100, description="lines a page (at most 100)")]
Cursor = Annotated[str | None, Query(max_length=400, description=(
    "the next_cursor of the page before; a cursor another coach's dashboard gave, or none a "
    "dashboard gave, is a 400 (urn:interlude:problem:bad-cursor)"))]


@router.get("/dashboard", response_model=DashboardPublic, response_model_exclude_unset=True,
            responses=problems(400, 401, 403, 404, 422))
async def dashboard(coach: CoachDep, ctx: ContextDep, deps: EngagementDep, request: Request,
                    after: After = 0, limit: Limit = 20,
                    cursor: Cursor = None) -> DashboardPublic:
    """A page of the coach's coachees, whoever needs attention first, and ``next_cursor`` to
    the next page (null on the last); ``total`` coachees and how many are ``needing_attention``
    now. Per coachee: check-ins and streak, waiting messages and overdue replies, sessions held
    against planned and the next one, goals and experiments in progress, community activity
    this week and insights pinned. A feature the organisation switched off (check-ins,
    messaging, community) leaves its facts out, of the attention score, its reasons, the order
    and the totals too, and is named in ``blocked``."""
    fresh = await caught_up(request, after)
    return answer(DashboardPublic, await overview.dashboard(deps, ctx, limit=limit,
                                                            cursor=cursor), fresh)


@router.get("/dashboard/{contract_id}", response_model=DashboardLinePublic,
            response_model_exclude_unset=True, responses=READS)
async def dashboard_line(contract_id: ContractId, coach: CoachDep, ctx: ContextDep,
                         deps: EngagementDep, request: Request,
                         after: After = 0) -> DashboardLinePublic:
    """One coachee's line of the coach's dashboard (by their contract), as the dashboard
    shows it; a contract that is not an active one of the caller's is a 404."""
    fresh = await caught_up(request, after)
    return answer(DashboardLinePublic, await overview.coachee(deps, ctx, contract_id), fresh)


@router.get("/sponsor/figures", response_model=SponsorFiguresPublic,
            response_model_exclude_unset=True, responses=READS)
async def sponsor_figures(sponsor: SponsorDep, ctx: ContextDep, deps: EngagementDep,
                          request: Request, after: After = 0) -> SponsorFiguresPublic:
    """Per programme the caller sponsors, what the contracts let a sponsor see; any figure
    over fewer than five people is suppressed."""
    fresh = await caught_up(request, after)
    return answer(SponsorFiguresPublic, await sponsoring.sponsor_figures(deps, ctx), fresh)
