"""People of each organisation as notify needs them (roles, to find the org admins; the names
rendered when a recipient reads), from identity's events: notify's own copy
(:mod:`interlude.shared.directory`). ``SubjectForgotten`` empties the person's inbox and drops
the reminders that would have told them alone (the others skip them when they fire)."""

from __future__ import annotations

import json

import asyncpg

from interlude.shared import directory

NAME = "notify-people"


class People(directory.People):
    name = NAME

    async def forget(self, conn: asyncpg.Connection, tenant_id: str, subject_id: str) -> None:
        await conn.execute("DELETE FROM inbox WHERE tenant_id = $1 AND recipient_id = $2",
                           tenant_id, subject_id)
        await conn.execute(
            "UPDATE due_work SET cancelled_at = now(), cancel_reason = 'erased'"
            " WHERE tenant_id = $1 AND kind = 'reminder' AND done_at IS NULL"
            " AND cancelled_at IS NULL AND payload->'recipients' = $2::jsonb",
            tenant_id, json.dumps([subject_id]))
