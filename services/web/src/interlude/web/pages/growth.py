"""The coachee's growth record: small wins and check-ins over time, goals achieved,
experiments and what they taught, and the insights the coach pinned from their posts in the
cohort (community's pinned posts whose author is the reader)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlude.web.deps import CoacheeDep, ContractId, Web, WebDep
from interlude.web.pages.common import part
from interlude.web.sessions import Session
from interlude.web.wording import MOODS

router = APIRouter(include_in_schema=False)
SPACES = "/v1/community/spaces"


async def pinned_posts(deps: Web, session: Session) -> list[dict[str, Any]]:
    """The reader's own posts pinned as key insights, in every space they joined."""
    found = await deps.upstream.call(session, "community", "GET", SPACES)
    joined = [s for s in found["spaces"] if s["status"] == "joined"]
    feeds = await asyncio.gather(*(deps.upstream.call(
        session, "community", "GET", f"{SPACES}/{s['space_id']}/feed") for s in joined))
    return [{**post, "space": space["name"]} for space, feed in zip(joined, feeds, strict=True)
            for post in feed["pinned"] if post["author"]["you"]]


@router.get("/contracts/{contract_id}/growth")
async def growth(request: Request, contract_id: ContractId, deps: WebDep,
                 session: CoacheeDep) -> Response:
    path = f"/v1/contracts/{contract_id}"
    # check-ins switched off (or not agreed): the rest of the record is still hers to see
    checkins, goals, insights = await asyncio.gather(
        part(deps.upstream.call(session, "engagement", "GET", f"{path}/check-ins",
                                params={"limit": 200})),
        deps.upstream.call(session, "engagement", "GET", f"{path}/goals"),
        part(pinned_posts(deps, session)))
    record: list[dict[str, Any]] = (checkins.value or {}).get("check_ins", [])
    return deps.pages.render(
        request, "coachee/growth.html", session, title="My growth record",
        contract_id=contract_id, checkins=record, moods=dict(MOODS),
        checkins_problem=checkins.problem,
        wins=[c for c in record if c["small_win"]],
        achieved=[g for g in goals["goals"] if g["status"] == "achieved"],
        learned=[x for x in goals["experiments"] if x["reported_at"]],
        insights=insights)
