"""People of each organisation as a service needs them, from identity's events: who holds
which roles, whether they are active, and the name shown to those allowed to see it.

Services never read each other's tables: each keeps its own ``people`` table (the columns
below) fed by a subclass of :class:`People` named after the service. ``SubjectForgotten``
removes the name here, then calls :meth:`People.forget`, where the service deletes the
plaintext it holds of that person from its own read models.

    CREATE TABLE people (
        tenant_id text NOT NULL, user_id text NOT NULL,
        display_name text,                  -- NULL once the person is forgotten
        roles text[] NOT NULL DEFAULT '{}',
        status text NOT NULL,               -- invited | active | deactivated | forgotten
        PRIMARY KEY (tenant_id, user_id));
"""

from __future__ import annotations

import asyncpg

from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.sealing import Sealer


class People(Projection):
    tables = ("people",)

    def __init__(self, sealer: Sealer) -> None:
        super().__init__()
        self._sealer = sealer

    async def forget(self, conn: asyncpg.Connection, tenant_id: str, subject_id: str) -> None:
        """Delete what the service's read models hold of ``subject_id`` (beyond the name)."""

    async def _name(self, event: RecordedEvent) -> str | None:
        sealed = event.payload.get("display_name")
        if sealed is None:
            return None
        secret = await self._sealer.open(sealed, tenant=event.tenant_id,
                                         event_id=event.wire["event_id"], field="display_name")
        return None if secret.is_erased else secret.reveal()

    async def _insert(self, conn: asyncpg.Connection, event: RecordedEvent, status: str) -> None:
        await conn.execute(
            "INSERT INTO people (tenant_id, user_id, display_name, roles, status)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", event.tenant_id,
            event.payload["user_id"], await self._name(event), list(event.payload["roles"]),
            status)

    async def on_user_invited(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._insert(conn, event, "invited")

    async def on_user_provisioned(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._insert(conn, event, "active")

    async def _set(self, conn: asyncpg.Connection, event: RecordedEvent, sql: str,
                   *args: object) -> None:
        await conn.execute(f"UPDATE people SET {sql} WHERE tenant_id = $1 AND user_id = $2"
                           " AND status <> 'forgotten'",
                           event.tenant_id, event.payload["user_id"], *args)

    async def on_user_activated(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._set(conn, event, "status = 'active'")

    async def on_user_reactivated(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._set(conn, event, "status = 'active'")

    async def on_user_deactivated(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._set(conn, event, "status = 'deactivated'")

    async def on_role_granted(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._set(conn, event, "roles = array_append(array_remove(roles, $3), $3)",
                        event.payload["role"])

    async def on_role_revoked(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._set(conn, event, "roles = array_remove(roles, $3)", event.payload["role"])

    async def on_profile_changed(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        name = await self._name(event)
        if name is not None:
            await self._set(conn, event, "display_name = $3", name)

    async def on_subject_forgotten(self, conn: asyncpg.Connection,
                                   event: RecordedEvent) -> None:
        subject = event.payload["subject_id"]
        await conn.execute("UPDATE people SET display_name = NULL, status = 'forgotten'"
                           " WHERE tenant_id = $1 AND user_id = $2", event.tenant_id, subject)
        await self.forget(conn, event.tenant_id, subject)


async def person(pool: asyncpg.Pool | asyncpg.Connection, tenant_id: str,
                 user_id: str) -> asyncpg.Record | None:
    """Status and roles of someone of the organisation, or None."""
    return await pool.fetchrow("SELECT status, roles FROM people WHERE tenant_id = $1"
                               " AND user_id = $2", tenant_id, user_id)


async def names(pool: asyncpg.Pool | asyncpg.Connection, tenant_id: str,
                user_ids: list[str]) -> dict[str, str | None]:
    rows = await pool.fetch("SELECT user_id, display_name FROM people WHERE tenant_id = $1"
                            " AND user_id = ANY($2)", tenant_id, user_ids)
    return {r["user_id"]: r["display_name"] for r in rows}
