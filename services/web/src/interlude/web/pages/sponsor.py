"""The sponsor's figures: per programme, what the contracts let a sponsor see (attendance,
goals), never content, and nothing for a group too small to stay anonymous."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlude.web.deps import SponsorDep, WebDep

router = APIRouter(include_in_schema=False)


@router.get("/sponsor")
async def figures(request: Request, deps: WebDep,
                  session: SponsorDep) -> Response:
    found = await deps.upstream.call(session, "engagement", "GET", "/v1/sponsor/figures")
    return deps.pages.render(request, "sponsor.html", session, title="Programme figures",
                             found=found)
