"""The private calendar feed: create or reset its secret URL; serve it to calendar apps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from interlude.engagement.api.deps import ContextDep, EngagementDep
from interlude.engagement.api.schemas import CalendarFeed
from interlude.engagement.app import calendar
from interlude.shared.http.problems import Problem
from interlude.shared.kit import problems

router = APIRouter(prefix="/v1", tags=["calendar"])


@router.post("/calendar-feed", status_code=201, responses=problems(401, 403, 422))
async def reset(ctx: ContextDep, deps: EngagementDep) -> CalendarFeed:
    """A new secret feed URL for the caller's sessions; any earlier URL stops working."""
    return CalendarFeed(url=await calendar.reset_feed(deps, ctx), created_at=ctx.now)


@router.get("/calendar/{token}.ics", response_class=Response,
            responses={200: {"description": "the feed (iCalendar)",
                             "content": {"text/calendar": {"schema": {"type": "string"}}}},
                       **problems(404, 422)})
async def feed(token: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{20,100}$")],
               deps: EngagementDep) -> Response:
    """The feed itself: the URL is the credential (calendar apps send no token)."""
    body = await calendar.feed(deps, token, deps.clock())
    if body is None:
        raise Problem(404, "not-found", "there is no such calendar feed (it may have been "
                      "reset: subscribe to the new URL)")
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=300"})
