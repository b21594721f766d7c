"""People of each organisation as a service needs them, from identity's events: who holds
which roles, whether they are active, and the name shown to those allowed to see it.

Services never read each other's tables: each keeps its own ``people`` table (:data:`SCHEMA`,
made by :func:`ensure_table` where the service ensures its streams, not by its migrations) fed
by a subclass of :class:`People` named after the service. ``SubjectForgotten``
removes the name here, then calls :meth:`People.forget`, where the service deletes what it
holds of that person from its own read models.

The name stays sealed under the person's key, as it is in identity's event
(:func:`~interlude.shared.projections.sealed.kept`), and is opened only when read
(:func:`names`, :func:`opened`): deleting a row leaves its bytes in dead tuples, the WAL and
backups, so only the shredded key can erase a name, and it must never be written in clear.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import asyncpg

from interlude.shared.events import published
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.sealed import kept, opened_or_none
from interlude.shared.sealing import Sealer

# the columns engagement's and community's migrations made before the table came from here:
# their databases keep the table they have, a new one gets this
SCHEMA = """
CREATE TABLE IF NOT EXISTS people (
    tenant_id text NOT NULL,
    user_id text NOT NULL,
    display_name jsonb,  -- sealed; NULL once the person is forgotten
    roles text[] NOT NULL DEFAULT '{}',
    status text NOT NULL,  -- invited | active | deactivated | forgotten
    PRIMARY KEY (tenant_id, user_id)
)
"""


async def ensure_table(conn: asyncpg.Connection) -> None:
    """Create the ``people`` table if missing (at the start of the API, the worker and the
    seed, after the migrations); concurrent starts are serialised by a lock."""
    # only where missing: IF NOT EXISTS still needs CREATE on the schema, which a runtime role
    # need not have once the table is there
    if await conn.fetchval("SELECT to_regclass('people')") is not None:
        return
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(7231005)")
        await conn.execute(SCHEMA)


class People(Projection):
    tables = ("people",)
    reads = (published.identity,)
    handles = ("identity.UserInvited", "identity.UserProvisioned", "identity.UserActivated",
               "identity.UserReactivated", "identity.UserDeactivated", "identity.RoleGranted",
               "identity.RoleRevoked", "identity.ProfileChanged", "identity.SubjectForgotten")

    def __init__(self, sealer: Sealer) -> None:
        super().__init__()
        self._sealer = sealer

    async def forget(self, conn: asyncpg.Connection, tenant_id: str, subject_id: str) -> None:
        """Delete what the service's read models hold of ``subject_id`` (beyond the name)."""

    async def _insert(self, conn: asyncpg.Connection, event: RecordedEvent, status: str) -> None:
        e = event.event
        assert isinstance(e, published.UserInvited | published.UserProvisioned)
        await conn.execute(
            "INSERT INTO people (tenant_id, user_id, display_name, roles, status)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", event.tenant_id,
            e.user_id, kept(e.display_name), list(e.roles), status)

    async def on_user_invited(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._insert(conn, event, "invited")

    async def on_user_provisioned(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._insert(conn, event, "active")

    async def _set(self, conn: asyncpg.Connection, event: RecordedEvent, user_id: str, sql: str,
                   *args: object) -> None:
        await conn.execute(f"UPDATE people SET {sql} WHERE tenant_id = $1 AND user_id = $2"
                           " AND status <> 'forgotten'", event.tenant_id, user_id, *args)

    async def on_user_activated(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.of(published.UserActivated)
        await self._set(conn, event, e.user_id, "status = 'active'")

    async def on_user_reactivated(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.of(published.UserReactivated)
        await self._set(conn, event, e.user_id, "status = 'active'")

    async def on_user_deactivated(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.of(published.UserDeactivated)
        await self._set(conn, event, e.user_id, "status = 'deactivated'")

    async def on_role_granted(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.of(published.RoleGranted)
        await self._set(conn, event, e.user_id,
                        "roles = array_append(array_remove(roles, $3), $3)", e.role)

    async def on_role_revoked(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.of(published.RoleRevoked)
        await self._set(conn, event, e.user_id, "roles = array_remove(roles, $3)", e.role)

    async def on_profile_changed(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.of(published.ProfileChanged)
        if e.display_name is not None:
            await self._set(conn, event, e.user_id, "display_name = $3", kept(e.display_name))

    async def on_subject_forgotten(self, conn: asyncpg.Connection,
                                   event: RecordedEvent) -> None:
        subject = event.of(published.SubjectForgotten).subject_id
        await conn.execute("UPDATE people SET display_name = NULL, status = 'forgotten'"
                           " WHERE tenant_id = $1 AND user_id = $2", event.tenant_id, subject)
        await self.forget(conn, event.tenant_id, subject)


async def person(pool: asyncpg.Pool | asyncpg.Connection, tenant_id: str,
                 user_id: str) -> asyncpg.Record | None:
    """Status and roles of someone of the organisation, or None."""
    return await pool.fetchrow("SELECT status, roles FROM people WHERE tenant_id = $1"
                               " AND user_id = $2", tenant_id, user_id)


async def names(pool: asyncpg.Pool | asyncpg.Connection, sealer: Sealer, tenant_id: str,
                user_ids: Iterable[str]) -> dict[str, str | None]:
    """The names of ``user_ids`` opened for a reader allowed to see them (None: forgotten)."""
    rows = await pool.fetch("SELECT user_id, display_name FROM people WHERE tenant_id = $1"
                            " AND user_id = ANY($2::text[])", tenant_id, list(set(user_ids)))
    return {r["user_id"]: await opened_or_none(sealer, tenant_id, r["display_name"]) for r in rows}


async def name(pool: asyncpg.Pool | asyncpg.Connection, sealer: Sealer, tenant_id: str,
               user_id: str) -> str | None:
    """The name of one person of the organisation, opened; None if unknown or forgotten."""
    return (await names(pool, sealer, tenant_id, [user_id])).get(user_id)


async def opened(sealer: Sealer, tenant_id: str, rows: Iterable[dict[str, Any]],
                 column: str = "display_name") -> None:
    """Open the sealed name in ``column`` of each row, in place (for a query that joins
    ``people`` and answers a reader allowed to see the names)."""
    for row in rows:
        row[column] = await opened_or_none(sealer, tenant_id, row[column])


async def named(pool: asyncpg.Pool | asyncpg.Connection, sealer: Sealer,
                wanted: Iterable[str]) -> list[dict[str, Any]]:
    """Active people of any organisation whose name is one of ``wanted``: for the demo seeds,
    which know their people by name only. Every name is opened, so this is for small
    directories, never a request path."""
    wanted = set(wanted)
    rows = [dict(r) for r in await pool.fetch(
        "SELECT tenant_id, user_id, display_name, roles FROM people WHERE status = 'active'")]
    found = []
    for row in rows:
        row["display_name"] = await opened_or_none(sealer, row["tenant_id"],
                                                    row["display_name"])
        if row["display_name"] in wanted:
            found.append(row)
    return found
