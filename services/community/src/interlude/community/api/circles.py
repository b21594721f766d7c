"""Drawing people in: coaches' peer circles that find each other (search, ask to join, admit
or decline), and a cohort's quiet members and the coach's gentle invitation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from interlude.community.api.deps import (
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    After,
    CommunityDep,
    ContextDep,
    ItemId,
    OwnContextDep,
    SpaceId,
    caught_up,
)
from interlude.community.api.public import CirclesPublic, JoinRequestsPublic, QuietMembersPublic
from interlude.community.api.schemas import JoinRequest
from interlude.community.app import circles, quiet
from interlude.shared.kit import WrittenPublic
from interlude.shared.text import SingleLine

router = APIRouter(prefix="/v1/community", tags=["circles"])
Term = Annotated[Annotated[str, SingleLine(200, min_length=0)] | None, Query()]


@router.get("/circles", response_model=CirclesPublic, responses=READ_PROBLEMS)
async def find(ctx: ContextDep, deps: CommunityDep, request: Request, challenge: Term = None,
               methodology: Term = None, q: Term = None,
               limit: Annotated[int, Query(ge=1, le=100)] = 50,
               after: After = 0) -> dict[str, Any]:
    """Peer circles of my organisation that coaches may find, and the pseudonymous ones of
    other organisations where both allow circles across organisations: by a client
    challenge, a methodology, or words of their name, description or context (coaches
    only)."""
    fresh = await caught_up(request, after)
    return {"circles": await circles.find(deps, ctx, challenge=challenge,
                                          methodology=methodology, text=q, limit=limit),
            "fresh": fresh}


@router.post("/spaces/{space_id}/join-requests", responses=WRITE_PROBLEMS)
async def ask(space_id: SpaceId, body: JoinRequest, ctx: ContextDep, own: OwnContextDep,
              deps: CommunityDep) -> WrittenPublic:
    """Ask to join a peer circle found by search (of another organisation too, where both
    allow circles across organisations); its members admit or decline."""
    home = own.tenant_id if own.tenant_id != ctx.tenant_id else None
    return WrittenPublic.of(await circles.ask(deps, ctx, space_id, body.note, home))


@router.get("/spaces/{space_id}/join-requests", response_model=JoinRequestsPublic,
            responses=READ_PROBLEMS)
async def requests(space_id: SpaceId, ctx: ContextDep, deps: CommunityDep, request: Request,
                   after: After = 0) -> dict[str, Any]:
    """Coaches asking to join, for the circle's members."""
    fresh = await caught_up(request, after)
    return {"requests": await circles.requests(deps, ctx, space_id), "fresh": fresh}


@router.post("/spaces/{space_id}/join-requests/{handle}/admit", responses=WRITE_PROBLEMS)
async def admit(space_id: SpaceId, handle: ItemId, ctx: ContextDep,
                deps: CommunityDep) -> WrittenPublic:
    """Any member admits a coach who asked: they are invited and join like anyone invited."""
    return WrittenPublic.of(await circles.admit(deps, ctx, space_id, handle))


@router.post("/spaces/{space_id}/join-requests/{handle}/decline", responses=WRITE_PROBLEMS)
async def decline(space_id: SpaceId, handle: ItemId, ctx: ContextDep,
                  deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await circles.decline(deps, ctx, space_id, handle))


@router.get("/spaces/{space_id}/quiet-members", response_model=QuietMembersPublic,
            responses=READ_PROBLEMS)
async def quiet_members(space_id: SpaceId, ctx: ContextDep, deps: CommunityDep,
                        request: Request, after: After = 0) -> dict[str, Any]:
    """For the cohort's coach only: who read it in the last two weeks without posting,
    commenting or reacting (those who agreed to be counted)."""
    fresh = await caught_up(request, after)
    return {"quiet": await quiet.quiet(deps, ctx, space_id), "fresh": fresh}


@router.post("/spaces/{space_id}/quiet-members/{handle}/invitation",
             responses=WRITE_PROBLEMS)
async def invite_quiet(space_id: SpaceId, handle: ItemId, ctx: ContextDep,
                       deps: CommunityDep) -> WrittenPublic:
    """A gentle invitation to join in, sent to the member as a notification."""
    return WrittenPublic.of(await quiet.invite(deps, ctx, space_id, handle))
