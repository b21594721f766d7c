"""The coach's cohorts on the dashboard: per cohort, who has read it in the last two weeks
without taking part (names only as the coach may see them, never to peers, never what they
read), with the gentle invitation, and how the materials shared with it were taken up."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from interlude.web.deps import WebDep
from interlude.web.pages.common import Part, part
from interlude.web.pages.community import API
from interlude.web.sessions import Session
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

LATEST = 3  # materials shown per cohort on the dashboard; the rest on the cohort's page


@dataclass
class Cohort:
    space: dict[str, Any]
    quiet: Part[list[dict[str, Any]]]
    materials: list[dict[str, Any]] = field(default_factory=list)
    shared: int = 0


def _taken_up(material: dict[str, Any]) -> dict[str, Any]:
    progress = material.get("progress") or []
    return {"title": material.get("title"), "members": len(progress),
            "opened": sum(1 for p in progress if p["opened_at"]),
            "done": sum(1 for p in progress if p["done_at"])}


async def _cohort(deps: WebDep, session: Session, space: dict[str, Any]) -> Cohort:
    path = f"{API}/{space['space_id']}"

    async def quiet() -> list[dict[str, Any]]:
        found = await deps.upstream.call(session, "community", "GET", f"{path}/quiet-members")
        return list(found["quiet"])

    readers, shared = await asyncio.gather(
        part(quiet()), part(deps.upstream.call(session, "community", "GET",
                                               f"{path}/materials")))
    materials = (shared.value or {}).get("materials", [])
    return Cohort(space, readers, [_taken_up(m) for m in materials[:LATEST]], len(materials))


async def cohorts(deps: WebDep, session: Session) -> Part[list[Cohort]]:
    """The cohorts the coach holds, kept a few seconds (``kept.py``); a part of the dashboard
    that may fail alone (community away, or switched off by the organisation)."""
    found: Part[list[Cohort]] = await deps.cohorts.get(session.id,
                                                       lambda: _cohorts(deps, session))
    return found


async def _cohorts(deps: WebDep, session: Session) -> Part[list[Cohort]]:
    try:
        found = await deps.upstream.call(session, "community", "GET", API)
        held = [s for s in found["spaces"]
                if s["role"] == "coach" and s["kind"] == "cohort" and s["status"] == "joined"]
        return Part(value=list(await asyncio.gather(*(_cohort(deps, session, s)
                                                      for s in held))))
    except UpstreamProblem as problem:
        return Part(problem=message(problem), slug=problem.slug)
