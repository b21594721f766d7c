"""Forgetting a person: after ``shred``, their plaintext is nowhere: not in the stream's bytes,
not in any read model, not in any log line; opening their fields gives "erased"."""

import logging
from datetime import UTC, datetime

import nats
import pytest

from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.eventstore.jetstream import JetStreamEventStore
from interlude.shared.eventstore.streams import StreamSpec, ensure_stream
from interlude.shared.projections.base import Projection
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.sealing import ERASED_TEXT, KeyRing, Sealer, Secret, open_key_store

PLAINTEXT = "I am afraid my manager will notice I cried in the meeting"
registry = EventRegistry()


@registry.event("test.Confided")
class Confided(Event):
    person: str
    text: Secret


@registry.event("test.SubjectForgotten")
class SubjectForgotten(Event):
    person: str


class Confidences(Projection):
    """A read model that keeps plaintext, as a coach's dashboard would, until told to forget."""

    name = "confidences"
    tables = ("confidences",)

    def __init__(self, codec):
        super().__init__()
        self.codec = codec

    async def on_confided(self, conn, event):
        confided = await self.codec.decode(event.envelope)
        logging.getLogger("test.projection").info("projected %s: %s", confided, confided.text)
        await conn.execute("INSERT INTO confidences VALUES ($1, $2)", confided.person,
                           confided.text.reveal())

    async def on_subject_forgotten(self, conn, event):
        await conn.execute("DELETE FROM confidences WHERE person = $1",
                           event.envelope.payload["person"])


@pytest.fixture
async def world(nats_url, pg_pool, namespace, tenant_id):
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    keys = await open_key_store(js, bucket=f"KEYS_{namespace}")
    keyring = KeyRing(keys, master_secret=b"m" * 32)
    codec = EventCodec(registry, Sealer(keyring))
    store = await JetStreamEventStore.open(nc, StreamSpec.for_service("conf", namespace))
    deadletters = StreamSpec.for_service("deadletter", namespace)
    await ensure_stream(js, deadletters)
    await pg_pool.execute("CREATE TABLE confidences (person text, text text)")
    runner = ProjectionRunner(Confidences(codec), store.stream, nc, pg_pool,
                              deadletters=deadletters)
    ctx = CommandContext(tenant_id=tenant_id, actor=Actor("coachee-1"),
                         now=datetime(2026, 11, 22, tzinfo=UTC), correlation_id="c1")
    yield nc, js, keyring, codec, store, runner, ctx
    await nc.drain()


async def test_after_shred_the_plaintext_is_nowhere_and_opens_as_erased(world, pg_pool, caplog):
    caplog.set_level(logging.DEBUG)
    _, js, keyring, codec, store, runner, ctx = world
    subject = store.stream.subject(ctx.tenant_id, "journal", "j1")
    event = Confided(person="p1", text=Secret(PLAINTEXT, subject="p1"))
    envelope = await codec.encode(event, ctx, "j1")
    await store.append(subject, [envelope], expected_last_seq=0)
    await runner.catch_up()
    assert await pg_pool.fetchval("SELECT text FROM confidences") == PLAINTEXT  # it was readable

    await keyring.shred(ctx.tenant_id, "p1")
    forgotten = await codec.encode(SubjectForgotten(person="p1"), ctx, "j1")
    await store.append(subject, [forgotten], expected_last_seq=None)
    await runner.catch_up()

    info = await js.stream_info(store.stream.name)
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        raw = await js.get_msg(store.stream.name, seq)
        assert PLAINTEXT.encode() not in raw.data
        assert b"afraid" not in raw.data
    dump = await pg_pool.fetch(
        "SELECT t::text AS row FROM confidences t UNION ALL"
        " SELECT t::text FROM projection_checkpoints t")
    assert all("afraid" not in r["row"] for r in dump)
    assert "afraid" not in caplog.text
    assert "afraid" not in repr(event) and "afraid" not in str(event)

    (commit, _) = (await store.read(subject)).commits
    reopened = await codec.decode(commit.envelopes[0])
    assert reopened.text.is_erased and reopened.text.reveal() == ERASED_TEXT
