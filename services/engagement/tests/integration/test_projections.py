"""engagement's projections read typed events: every consumer of its worker declares what it
reads (engagement's own events, identity's and community's published contracts), and a handler
whose name matches no event type stops the worker's start, naming it."""

from __future__ import annotations

import asyncio
import secrets

import asyncpg
import pytest

from interlude.engagement import wiring
from interlude.engagement.projections.records import Records
from interlude.engagement.testing import engagement_settings
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.typed import Misdeclared
from interlude.shared.runtime import open_platform
from interlude.shared.worker import run


def _parts(projection: Projection) -> list[Projection]:
    return list(getattr(projection, "parts", ())) or [projection]


@pytest.fixture
def settings(nats_url, postgres_dsn, namespace, pg_schema):
    return engagement_settings(nats_url, postgres_dsn, namespace, secrets.token_urlsafe(32),
                               database_schema=pg_schema)


async def test_every_projection_of_the_worker_reads_typed_events(settings, pg_schema):
    platform = await open_platform(settings, schema=pg_schema)
    try:
        projections = [part for runner in wiring.runners(platform)
                       for part in _parts(runner.projection)]
    finally:
        await platform.close()
    assert {p.name for p in projections} >= {"engagement-people", "engagement-records",
                                             "engagement-dashboard", "engagement-sponsor",
                                             "engagement-dashboard-community"}
    assert {p.name: p.describe()["events"] for p in projections} == {
        p.name: "typed" for p in projections}


class MisnamedRecords(Records):
    """``on_check_in_posted`` misspelt: before typed events it dropped every check-in."""

    async def on_check_in_postd(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        raise AssertionError("never called")


async def test_a_handler_for_an_unknown_event_stops_the_workers_start_naming_it(
        settings, monkeypatch):
    monkeypatch.setattr(wiring, "Records", MisnamedRecords)
    with pytest.raises(Misdeclared, match="engagement-records: handler on_check_in_postd"
                                          " matches no event type"):
        await asyncio.wait_for(run(settings, wiring.runners, wiring.MIGRATIONS, asyncio.Event(),
                                   prepare=wiring.ensure_sources), timeout=60)
