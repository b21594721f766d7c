"""People of each organisation as community needs them (roles, and the names shown in spaces
that show names), from identity's events: community's own copy
(:mod:`interlude.shared.directory`). ``SubjectForgotten`` also leaves the person's posts and
comments as "former member" with no content, everywhere."""

from __future__ import annotations

import asyncpg

from interlude.community.projections import across
from interlude.shared import directory

NAME = "community-people"


class People(directory.People):
    name = NAME

    async def forget(self, conn: asyncpg.Connection, tenant_id: str, subject_id: str) -> None:
        args = (tenant_id, subject_id)
        await conn.execute("UPDATE members SET pseudonym = NULL, status = 'forgotten',"
                           " request_note = NULL, open_to = '{}', open_to_all = false"
                           " WHERE tenant_id = $1 AND user_id = $2", *args)
        await conn.execute("UPDATE posts SET body = NULL, pin_note = NULL WHERE tenant_id = $1"
                           " AND author_id = $2", *args)
        await conn.execute("UPDATE comments SET body = NULL WHERE tenant_id = $1"
                           " AND author_id = $2", *args)
        await conn.execute("UPDATE reports SET reason = NULL WHERE tenant_id = $1"
                           " AND reporter_id = $2", *args)
        await conn.execute("DELETE FROM rehearsals WHERE tenant_id = $1 AND author_id = $2",
                           *args)
        await across.forget_guest(conn, self._sealer, tenant_id, subject_id)
