"""Typed events in projections: a handler that matches no event type stops the worker's
start, naming it; an old version of an event reaches its handler upcast."""

import asyncio
import dataclasses

import asyncpg
import pytest

from interlude.shared.config import PlatformSettings
from interlude.shared.events.registry import EventRegistry
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.projections.typed import Misdeclared
from interlude.shared.testing.tally import Noted, registry
from interlude.shared.worker import run

NOTES_SCHEMA = """
CREATE TABLE IF NOT EXISTS tally_notes (
    tenant_id text NOT NULL, aggregate_id text NOT NULL, note text NOT NULL,
    weight int NOT NULL)
"""


class Notes(Projection):
    """The notes of each tally with their weight (added in Noted v2)."""

    name = "tally-notes"
    tables = ("tally_notes",)
    reads = (registry,)
    handles = ("test.Noted",)

    async def on_noted(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        noted = event.of(Noted)
        await conn.execute("INSERT INTO tally_notes VALUES ($1, $2, $3, $4)", event.tenant_id,
                           event.aggregate_id, noted.note, noted.weight)


class MisnamedNotes(Projection):
    """``on_noted`` renamed by a typo: before, it dropped every note without a word."""

    name = "tally-notes"
    reads = (registry,)

    async def on_notted(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        raise AssertionError("never called")


async def test_a_handler_for_an_unknown_event_stops_the_workers_start_naming_it(
        tallies, nats_url, postgres_dsn, namespace, pg_schema, tmp_path):
    settings = PlatformSettings(service_name="tally", nats_url=nats_url,
                                database_url=postgres_dsn, database_schema=pg_schema,
                                stream_namespace=namespace,
                                master_secret_file=tmp_path / "master.key")

    def runners(platform):
        return [ProjectionRunner(MisnamedNotes(), tallies.store.stream, platform.nc,
                                 platform.pool, deadletters=tallies.deadletters)]

    (tmp_path / "migrations").mkdir()
    with pytest.raises(Misdeclared, match="tally-notes: handler on_notted matches no event"):
        await asyncio.wait_for(run(settings, runners, tmp_path / "migrations",
                                   asyncio.Event()), timeout=30)


def test_a_claimed_event_type_without_its_handler_is_refused_when_built():
    class Forgetful(Projection):
        name = "tally-forgetful"
        reads = (registry,)
        handles = ("test.Noted", "test.Counted")

        async def on_noted(self, conn, event):
            pass

    with pytest.raises(Misdeclared, match=r"handles test\.Counted but has no on_counted"):
        Forgetful()
    with pytest.raises(Misdeclared, match=r"handles test\.Tallied, an event type it does not"):
        type("Claims", (Notes,), {"handles": ("test.Tallied",)})()


def test_an_event_type_of_another_registry_is_no_handler_of_this_one():
    other = EventRegistry()
    with pytest.raises(Misdeclared, match="on_noted matches no event type it reads"):
        type("Elsewhere", (Notes,), {"reads": (other,), "handles": ()})()


async def test_a_version_1_event_reaches_the_projection_upcast_beside_a_version_2(tallies):
    await tallies.pool.execute(NOTES_SCHEMA)
    v2 = await tallies.codec.encode(Noted(note="second", weight=5), tallies.ctx, "a")
    # an event stored before v2 existed: no weight, version 1 on the wire
    v1 = dataclasses.replace(v2, event_id="v1-event", schema_version=1,
                             payload={"note": "first"})
    subject = tallies.store.stream.subject(tallies.ctx.tenant_id, "tally", "a")
    await tallies.store.append(subject, [v1], expected_last_seq=None)
    await tallies.store.append(subject, [v2], expected_last_seq=None)
    runner = tallies.runner(Notes())
    await runner.catch_up()
    rows = await tallies.pool.fetch("SELECT note, weight FROM tally_notes ORDER BY note")
    assert [tuple(r) for r in rows] == [("first", 1), ("second", 5)]
    assert runner.dead_lettered == 0


async def test_an_event_the_projection_cannot_read_is_dead_lettered_saying_why(tallies):
    await tallies.pool.execute(NOTES_SCHEMA)
    good = await tallies.codec.encode(Noted(note="kept", weight=2), tallies.ctx, "a")
    newer = dataclasses.replace(good, event_id="v3-event", schema_version=3)
    broken = dataclasses.replace(good, event_id="broken", payload={"note": "private words",
                                                                  "weight": "heavy"})
    subject = tallies.store.stream.subject(tallies.ctx.tenant_id, "tally", "a")
    for envelope in (newer, broken, good):
        await tallies.store.append(subject, [envelope], expected_last_seq=None)
    runner = tallies.runner(Notes())
    await runner.catch_up()
    notes = await tallies.pool.fetch("SELECT note FROM tally_notes")
    assert [r["note"] for r in notes] == ["kept"]
    assert runner.dead_lettered == 2
    js = tallies.nc.jetstream()
    msg = await js.get_last_msg(tallies.deadletters.name,
                                f"{tallies.deadletters.prefix}.{runner.name}.{runner.source.name}")
    reason = msg.headers["Interlude-Reason"]
    assert "test.Noted v2 does not fit Noted: weight:" in reason
    assert "heavy" not in reason and "private words" not in reason
