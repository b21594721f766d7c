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
    return (await preferences_of(conn, [(tenant_id, user_id)]))[tenant_id, user_id]


async def preferences_of(conn: asyncpg.Connection | asyncpg.Pool,
                         people: list[tuple[str, str]]) -> dict[tuple[str, str], Preferences]:
    """The preferences of each (organisation, person); the defaults for whoever never changed
    theirs."""
    found = dict.fromkeys(people, Preferences())
    for row in await conn.fetch(
            "SELECT p.tenant_id, p.user_id, email, quiet_hours, time_zone, digest_hour"
            " FROM preferences p JOIN unnest($1::text[], $2::text[]) AS w(t, u)"
            " ON p.tenant_id = w.t AND p.user_id = w.u",
            [t for t, _ in people], [u for _, u in people]):
        hours = row["quiet_hours"]
        found[row["tenant_id"], row["user_id"]] = Preferences(
            email=json.loads(row["email"]),
            quiet_hours=None if hours is None else QuietHours.model_validate_json(hours),
            time_zone=row["time_zone"], digest_hour=row["digest_hour"], changed=True)
    return found


def when(prefs: Preferences, kind: str) -> When:
    """The recipient's side of deciding when an e-mail about ``kind`` goes."""
    return When(timing=prefs.email.get(kind, default_timing(kind)),
                time_zone=prefs.time_zone, digest_hour=prefs.digest_hour,
                own_quiet_hours=prefs.quiet_hours)
