"""People of each organisation as engagement needs them (who is a coach, a coachee, a sponsor,
and the name a coach sees on the dashboard), from identity's events: engagement's own copy
(:mod:`interlude.shared.directory`). ``SubjectForgotten`` also removes the sealed content of the
person's coaching from every engagement read model."""

from __future__ import annotations

import asyncpg

from interlude.engagement.domain.contract import content_subject
from interlude.shared import directory

NAME = "engagement-people"
CONTENT = {"checkins": ("text",), "messages": ("body",), "goals": ("title",),
           "experiments": ("belief", "behaviour", "result", "learning"),
           "materials": ("title", "url", "note", "reflection")}
person = directory.person


class People(directory.People):
    name = NAME

    async def forget(self, conn: asyncpg.Connection, tenant_id: str, subject_id: str) -> None:
        # the content of each of their contracts is sealed under a key of its own: shred them
        # all (identity shreds the person's own key)
        for row in await conn.fetch("SELECT contract_id FROM contracts WHERE tenant_id = $1"
                                    " AND coachee_id = $2", tenant_id, subject_id):
            await self._sealer.shred(tenant_id, content_subject(subject_id, row["contract_id"]))
        await conn.execute("DELETE FROM calendar_feeds WHERE tenant_id = $1 AND user_id = $2",
                           tenant_id, subject_id)
        for table, columns in CONTENT.items():
            cleared = ", ".join(f"{c} = NULL" for c in columns)
            await conn.execute(f"UPDATE {table} SET {cleared}"
                               " WHERE tenant_id = $1 AND coachee_id = $2",
                               tenant_id, subject_id)
        await conn.execute("UPDATE checkins SET questions = '[]' WHERE tenant_id = $1"
                           " AND coachee_id = $2", tenant_id, subject_id)
        await conn.execute("UPDATE goals SET notes = '[]' WHERE tenant_id = $1"
                           " AND coachee_id = $2", tenant_id, subject_id)
        await conn.execute("UPDATE dashboard_insights SET note = NULL WHERE tenant_id = $1"
                           " AND user_id = $2", tenant_id, subject_id)
