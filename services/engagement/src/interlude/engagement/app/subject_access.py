"""engagement's section of a person's export (subject access): the contracts they are a party
to (terms, consents, sessions) and, as a coachee, their check-ins with the coach's questions,
the thread with their coach, their goals and experiments, opened (sealed for them: theirs).
Another person's content is left out: a coach's export holds when they wrote to whom, never
the coachee's thread (it is sealed for the coachee); other parties appear by id only."""

from __future__ import annotations

import json
from typing import Any

from interlude.engagement.app.deps import Engagement
from interlude.engagement.domain.contract import content_subject
from interlude.engagement.projections import queries
from interlude.shared.subject_access import opened_if_theirs


async def section(engagement: Engagement, tenant_id: str, user_id: str) -> dict[str, Any]:
    rows = await queries.of_person(engagement.pool, tenant_id, user_id)
    # their own key, and the content key of each contract they are the coachee of
    keys = {user_id, *(content_subject(user_id, r["contract_id"]) for r in rows["contracts"]
                       if r["coachee_id"] == user_id)}

    async def own(stored: Any) -> str | None:
        return await opened_if_theirs(engagement.sealer, tenant_id, stored, keys)

    contracts = [{**dict(r), "terms": json.loads(r["terms"]), "your_part": _part(r, user_id)}
                 for r in rows["contracts"]]
    checkins = []
    for r in rows["checkins"]:
        questions = [{"at": q.get("at"), "text": await own(q.get("sealed"))}
                     for q in json.loads(r["questions"])]
        checkins.append({**dict(r), "text": await own(r["text"]), "questions": questions})
    messages = [{**dict(r), "body": await own(r["body"]),
                 "attachments": json.loads(r["attachments"])} for r in rows["messages"]]
    goals = []
    for r in rows["goals"]:
        notes = [{"at": n.get("at"), "progress": n.get("progress"),
                  "text": await own(n.get("sealed"))} for n in json.loads(r["notes"])]
        goals.append({**dict(r), "title": await own(r["title"]), "notes": notes})
    experiments = [{**dict(r), **{f: await own(r[f]) for f in ("belief", "behaviour", "result",
                                                                  "learning")}}
                   for r in rows["experiments"]]
    materials = [{**dict(r), **{f: await own(r[f]) for f in ("title", "url", "note",
                                                               "reflection")}}
                 for r in rows["materials"]]
    return {"contracts": contracts, "materials": materials,
            "sessions": [dict(r) for r in rows["sessions"]],
            "checkins": checkins, "messages": messages,
            "messages_sent_as_coach": [dict(r) for r in rows["messages_sent_as_coach"]],
            "goals": goals, "experiments": experiments}


def _part(row: Any, user_id: str) -> str:
    return next(part for part in ("coach", "coachee", "sponsor") if row[f"{part}_id"] == user_id)
