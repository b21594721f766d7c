"""Materials shared with a space, as its members and its coach read them: part of community's
views (:class:`~interlude.community.projections.views.Views`), so that ``?after=`` waits for
them like for any other write to a space. Title, link and note stay sealed."""

from __future__ import annotations

import asyncpg

from interlude.community.domain import events as ev
from interlude.shared.projections.base import RecordedEvent
from interlude.shared.projections.sealed import kept

TABLES = ("cohort_materials", "cohort_material_progress")


class MaterialViews:
    async def on_cohort_material_shared(self, conn: asyncpg.Connection,
                                        event: RecordedEvent) -> None:
        p = event.of(ev.CohortMaterialShared)
        await conn.execute(
            "INSERT INTO cohort_materials (tenant_id, material_id, space_id, coach_id, kind,"
            " title, url, note, shared_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT DO NOTHING", event.tenant_id, event.aggregate_id, p.space_id,
            p.coach_id, p.kind, kept(p.title), kept(p.url), kept(p.note),
            event.envelope.occurred_at)

    async def _progress(self, conn: asyncpg.Connection, event: RecordedEvent, user_id: str,
                        done: bool) -> None:
        at = event.envelope.occurred_at
        await conn.execute(
            "INSERT INTO cohort_material_progress (tenant_id, material_id, user_id, opened_at,"
            " done_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, material_id, user_id)"
            " DO UPDATE SET opened_at = coalesce(cohort_material_progress.opened_at, $4),"
            " done_at = coalesce(cohort_material_progress.done_at, $5)",
            event.tenant_id, event.aggregate_id, user_id, at, at if done else None)

    async def on_cohort_material_opened(self, conn: asyncpg.Connection,
                                        event: RecordedEvent) -> None:
        await self._progress(conn, event, event.of(ev.CohortMaterialOpened).user_id, False)

    async def on_cohort_material_done(self, conn: asyncpg.Connection,
                                      event: RecordedEvent) -> None:
        await self._progress(conn, event, event.of(ev.CohortMaterialDone).user_id, True)


async def of_space(db: asyncpg.Pool | asyncpg.Connection, tenant_id: str,
                   space_id: str) -> tuple[list[asyncpg.Record], list[asyncpg.Record]]:
    """The space's materials, newest first (sealed), and every member's progress on them."""
    materials = await db.fetch(
        "SELECT material_id, coach_id, kind, title, url, note, shared_at FROM cohort_materials"
        " WHERE tenant_id = $1 AND space_id = $2 ORDER BY shared_at DESC, material_id",
        tenant_id, space_id)
    progress = await db.fetch(
        "SELECT p.material_id, p.user_id, p.opened_at, p.done_at FROM cohort_material_progress p"
        " JOIN cohort_materials m USING (tenant_id, material_id) WHERE p.tenant_id = $1"
        " AND m.space_id = $2", tenant_id, space_id)
    return list(materials), list(progress)


async def of_person(db: asyncpg.Pool | asyncpg.Connection, tenant_id: str,
                    user_id: str) -> dict[str, list[asyncpg.Record]]:
    """A person's own (subject access): the materials they shared as a space's coach (sealed)
    and when they opened and did the ones shared with them."""
    shared = await db.fetch(
        "SELECT material_id, space_id, kind, title, url, note, shared_at FROM cohort_materials"
        " WHERE tenant_id = $1 AND coach_id = $2 ORDER BY shared_at", tenant_id, user_id)
    progress = await db.fetch(
        "SELECT p.material_id, m.space_id, p.opened_at, p.done_at FROM cohort_material_progress p"
        " JOIN cohort_materials m USING (tenant_id, material_id) WHERE p.tenant_id = $1"
        " AND p.user_id = $2 ORDER BY m.shared_at", tenant_id, user_id)
    return {"materials_shared": list(shared), "materials_progress": list(progress)}
