"""community's section of a person's export (subject access): their memberships with the
pseudonym they use, their posts, comments, rehearsals and reports with their text opened (it is
theirs), what they reacted to and shared, where they were tagged. Other members appear nowhere:
not their names, not who reacted (counts only), not who tagged them; a coach's feedback or note
sealed for someone else is left out. Materials: those they shared as a coach, and when they
opened and did those shared with them. What they wrote as a guest in circles of other
organisations."""

from __future__ import annotations

import json
from typing import Any

from interlude.community.app.deps import Community
from interlude.community.projections import across, materials, queries
from interlude.shared.subject_access import opened_if_theirs


async def section(community: Community, tenant_id: str, user_id: str) -> dict[str, Any]:
    rows = await queries.of_person(community.pool, tenant_id, user_id)

    async def own(stored: Any) -> str | None:
        return await opened_if_theirs(community.sealer, tenant_id, stored, user_id)

    plain = {name: [dict(r) for r in rows[name]]
             for name in ("memberships", "reactions", "shares", "tagged_in")}
    posts = [{**dict(r), "body": await own(r["body"]), "pin_note": await own(r["pin_note"]),
              "reactions": json.loads(r["reactions"])} for r in rows["posts"]]
    comments = [{**dict(r), "body": await own(r["body"])} for r in rows["comments"]]
    reports = [{**dict(r), "reason": await own(r["reason"])} for r in rows["reports"]]
    rehearsals = []
    for r in rows["rehearsals"]:
        feedback = [{"at": f.get("at"), "body": await own(f.get("body"))}
                    for f in json.loads(r["feedback"])]
        rehearsals.append({**dict(r), "body": await own(r["body"]), "feedback": feedback})
    elsewhere = await _elsewhere(community, tenant_id, user_id)
    mine = await materials.of_person(community.pool, tenant_id, user_id)
    shared = [{**dict(r), **{f: await own(r[f]) for f in ("title", "url", "note")}}
              for r in mine["materials_shared"]]
    return {**plain, "posts": posts, "comments": comments, "reports": reports,
            "rehearsals": rehearsals, "materials_shared": shared,
            "materials_progress": [dict(r) for r in mine["materials_progress"]],
            "circles_elsewhere": elsewhere}


async def _elsewhere(community: Community, tenant_id: str, user_id: str) -> dict[str, Any]:
    """What they wrote as a guest in circles of other organisations (ADR 0015), opened with
    their key there; which organisation keeps it is not said."""
    rows = await across.of_guest(community.pool, tenant_id, user_id)

    async def opened(row: Any) -> dict[str, Any]:
        shown = {k: v for k, v in dict(row).items() if k != "host"}
        return {**shown, "body": await opened_if_theirs(community.sealer, row["host"],
                                                        row["body"], user_id)}

    return {"circles": [dict(r) for r in rows["circles"]],
            "posts": [await opened(r) for r in rows["posts"]],
            "comments": [await opened(r) for r in rows["comments"]]}
