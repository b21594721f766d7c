"""The preferences read model: one row per person who changed theirs (everyone else has the
defaults), read by the API and by the outbox when it decides when an e-mail goes."""

from __future__ import annotations

import json

import asyncpg

from interlude.notify.domain.delivery import When
from interlude.notify.domain.events import PreferencesChanged, QuietHours, registry
from interlude.notify.domain.preferences import Preferences, default_timing
from interlude.shared.projections.base import Projection, RecordedEvent


class PreferencesView(Projection):
    name = "notify-preferences"
    tables = ("preferences",)
    reads = (registry,)
    handles = ("notify.PreferencesChanged",)

    async def on_preferences_changed(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> None:
        e = event.of(PreferencesChanged)
        hours = None if e.quiet_hours is None else e.quiet_hours.model_dump_json()
        await conn.execute(
            "INSERT INTO preferences AS p (tenant_id, user_id, email, quiet_hours, time_zone,"
            " digest_hour, position) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7)"
            " ON CONFLICT (tenant_id, user_id) DO UPDATE SET email = excluded.email,"
            " quiet_hours = excluded.quiet_hours, time_zone = excluded.time_zone,"
            " digest_hour = excluded.digest_hour, position = excluded.position"
            " WHERE p.position < excluded.position", event.tenant_id, e.user_id,
            json.dumps(e.email), hours, e.time_zone, e.digest_hour, event.position)


async def preferences(conn: asyncpg.Connection | asyncpg.Pool, tenant_id: str,
                      user_id: str) -> Preferences:
    row = await conn.fetchrow("SELECT email, quiet_hours, time_zone, digest_hour FROM preferences"
                              " WHERE tenant_id = $1 AND user_id = $2", tenant_id, user_id)
    if row is None:
        return Preferences()
    hours = row["quiet_hours"]
    return Preferences(email=json.loads(row["email"]),
                       quiet_hours=None if hours is None else QuietHours.model_validate_json(hours),
                       time_zone=row["time_zone"], digest_hour=row["digest_hour"], changed=True)


async def when(conn: asyncpg.Connection | asyncpg.Pool, tenant_id: str, user_id: str,
               kind: str) -> When:
    """The recipient's side of deciding when an e-mail about ``kind`` goes."""
    prefs = await preferences(conn, tenant_id, user_id)
    return When(timing=prefs.email.get(kind, default_timing(kind)),
                time_zone=prefs.time_zone, digest_hour=prefs.digest_hour,
                own_quiet_hours=prefs.quiet_hours)
