"""Text PostgreSQL cannot store, should an API ever accept it: the projection sets the event
aside under a reason of its own (the read model would otherwise lose the command without a
word), and the events after it still project."""

from __future__ import annotations

import asyncpg
import orjson

from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.deadletter import UNSTORABLE_REASON
from interlude.shared.testing.tally import Noted


class Notes(Projection):
    name = "tally-notes"
    tables = ("tally_notes",)

    async def on_noted(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await conn.execute("INSERT INTO tally_notes (note, raw) VALUES ($1, $2::jsonb)",
                           event.payload["note"], orjson.dumps(event.payload).decode())


async def _note(tallies, note: str) -> int:
    envelope = await tallies.codec.encode(Noted(note=note, weight=1), tallies.ctx, "a")
    subject = tallies.store.stream.subject(tallies.ctx.tenant_id, "tally", "a")
    return (await tallies.store.append(subject, [envelope], expected_last_seq=None)).position


async def test_text_the_read_model_cannot_store_is_dead_lettered_as_such(tallies):
    await tallies.pool.execute("CREATE TABLE IF NOT EXISTS tally_notes (note text, raw jsonb)")
    await _note(tallies, "before")
    lost = await _note(tallies, "a\u0000b")
    await _note(tallies, "Zoë 🙂 مرحبا e\u0301")
    projection = Notes()
    runner = tallies.runner(projection)
    await runner.catch_up()

    notes = [r["note"] for r in await tallies.pool.fetch("SELECT note FROM tally_notes")]
    assert notes == ["before", "Zoë 🙂 مرحبا e\u0301"]
    js = tallies.nc.jetstream()
    msg = await js.get_last_msg(tallies.deadletters.name,
                                f"{tallies.deadletters.prefix}.{runner.name}.{runner.source.name}")
    assert msg.headers["Interlude-Source-Position"] == str(lost)
    assert msg.headers["Interlude-Reason"].startswith(f"{UNSTORABLE_REASON}: ")
    assert "a\u0000b" not in msg.headers["Interlude-Reason"]
    assert runner.dead_lettered == 1
