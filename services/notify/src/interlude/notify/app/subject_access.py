"""notify's section of a person's export (subject access): every notification in their inbox
(what kind, when, whether read, who did it where only a pseudonym was shown, and its topic and
excerpt where they are sealed for the person) and their preferences. A notification about
someone else's words (a comment on their post) names the kind and leaves the words out."""

from __future__ import annotations

import json
from typing import Any

from interlude.notify.app.deps import Notify
from interlude.notify.projections import queries
from interlude.shared.subject_access import opened_if_theirs


async def section(notify: Notify, tenant_id: str, user_id: str) -> dict[str, Any]:
    found = await queries.of_person(notify.pool, tenant_id, user_id)
    inbox = []
    for row in found["inbox"]:
        inbox.append({**dict(row), **{f: await opened_if_theirs(
            notify.sealer, tenant_id, row[f], user_id) for f in ("topic", "excerpt")}})
    prefs = found["preferences"]
    return {"notifications": inbox,
            "preferences": None if prefs is None else {
                "email": json.loads(prefs["email"]),
                "quiet_hours": json.loads(prefs["quiet_hours"]) if prefs["quiet_hours"]
                else None, "time_zone": prefs["time_zone"], "digest_hour": prefs["digest_hour"]}}
