"""Appends awaiting their acks together on one connection (the event store's shared inbox, on a
real nats-server): each gets its own answer, one's refusal or duplicate is its own, what was
acknowledged reads back, and an ack that cannot come fails the append instead of hanging."""

from __future__ import annotations

import asyncio
import functools
from datetime import UTC, datetime

import nats
import nats.errors
import pytest
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.eventstore.base import (
    Append,
    AppendResult,
    ConcurrencyError,
    Guard,
    StoreUnavailable,
    message_id,
)
from interlude.shared.eventstore.connection import fail_waiting_requests
from interlude.shared.eventstore.jetstream import JetStreamEventStore
from interlude.shared.eventstore.streams import StreamSpec
from interlude.shared.testing.tally import Counted, Noted, registry


@pytest.fixture
async def nc(nats_url):
    conn = await nats.connect(nats_url)
    yield conn
    await conn.drain()


@pytest.fixture
def ctx(tenant_id):
    return CommandContext(tenant_id=tenant_id, actor=Actor("u1"),
                          now=datetime(2026, 12, 2, tzinfo=UTC), correlation_id="c1")


@pytest.fixture
async def store(nc, namespace):
    return await JetStreamEventStore.open(nc, StreamSpec.for_service("tally", namespace))


async def note(ctx, text: str, aggregate_id: str):
    return [await EventCodec(registry).encode(Noted(note=text, weight=1), ctx, aggregate_id)]


async def test_concurrent_appends_each_get_their_own_position_and_read_back(store, ctx):
    subjects = [store.stream.subject(ctx.tenant_id, "tally", f"c{i}") for i in range(40)]
    commits = [await note(ctx, f"check-in {i}", f"c{i}") for i in range(40)]
    results = await asyncio.gather(*(store.append(s, c, expected_last_seq=0)
                                     for s, c in zip(subjects, commits, strict=True)))
    assert len({r.position for r in results}) == 40
    for subject, commit, result in zip(subjects, commits, results, strict=True):
        [stored] = (await store.read(subject)).commits
        assert stored.position == result.position
        assert stored.envelopes[0].event_id == commit[0].event_id


async def test_a_refusal_or_duplicate_among_concurrent_appends_is_only_its_own(store, ctx):
    stream = store.stream
    contract = stream.subject(ctx.tenant_id, "tally", "contract")
    signed = await store.append(contract, await note(ctx, "signed", "contract"),
                                expected_last_seq=0)
    ended = await store.append(contract, await note(ctx, "ended", "contract"),
                               expected_last_seq=signed.position)
    retried = stream.subject(ctx.tenant_id, "tally", "retried")
    first = await store.append(retried, await note(ctx, "once", "retried"),
                               expected_last_seq=None, idempotency_key="k1")

    fresh = [stream.subject(ctx.tenant_id, "tally", f"ok{i}") for i in range(10)]
    notes = [await note(ctx, "fine", f"ok{i}") for i in range(10)]
    late = stream.subject(ctx.tenant_id, "tally", "late")
    results = await asyncio.gather(
        *(store.append(s, n, expected_last_seq=None, guard=Guard(contract, ended.position))
          for s, n in zip(fresh, notes, strict=True)),
        store.append(late, await note(ctx, "too late", "late"), expected_last_seq=None,
                     guard=Guard(contract, signed.position)),
        store.append(retried, await note(ctx, "again", "retried"), expected_last_seq=None,
                     idempotency_key="k1"),
        return_exceptions=True)

    *landed, refused, duplicate = results
    assert isinstance(refused, ConcurrencyError) and refused.subject == contract
    assert duplicate.duplicate and duplicate.position == first.position
    assert len({r.position for r in landed}) == 10
    for subject, result in zip(fresh, landed, strict=True):
        assert [c.position for c in (await store.read(subject)).commits] == [result.position]
    assert (await store.read(late)).commits == []
    assert len((await store.read(retried)).commits) == 1


async def test_stores_of_two_streams_on_one_connection_get_their_own_acks(nc, namespace, ctx):
    tallies = await JetStreamEventStore.open(nc, StreamSpec.for_service("tally", namespace))
    notes = await JetStreamEventStore.open(nc, StreamSpec.for_service("notes", namespace))
    codec = EventCodec(registry)

    async def count(i: int):
        subject = tallies.stream.subject(ctx.tenant_id, "tally", f"t{i}")
        return await tallies.append(subject, [await codec.encode(Counted(by=i), ctx, f"t{i}")],
                                    expected_last_seq=0)

    async def write(i: int):
        subject = notes.stream.subject(ctx.tenant_id, "note", f"n{i}")
        return await notes.append(subject, await note(ctx, f"n{i}", f"n{i}"),
                                  expected_last_seq=0)

    counted = await asyncio.gather(*(count(i) for i in range(15)), *(write(i) for i in range(15)))
    # each stream numbers its own messages: 1..15 in each, every ack reached its own append
    assert sorted(r.position for r in counted[:15]) == list(range(1, 16))
    assert sorted(r.position for r in counted[15:]) == list(range(1, 16))


async def unanswered(nc, namespace, ctx, **options):
    """A store whose appends go to a subject no stream takes, and that subject: what is sent
    there is heard by whoever subscribes to it, and acknowledged by nobody."""
    store = await JetStreamEventStore.open(nc, StreamSpec.for_service("tally", namespace),
                                           retry_for=0.0, **options)
    return store, f"{namespace}_nowhere.{ctx.tenant_id}.tally.a1"


async def test_an_append_no_stream_takes_fails_instead_of_waiting(nc, namespace, ctx):
    store, nowhere = await unanswered(nc, namespace, ctx)
    with pytest.raises(StoreUnavailable) as failed:
        await store.append(nowhere, await note(ctx, "lost", "a1"), expected_last_seq=0)
    assert isinstance(failed.value.__cause__, nats.errors.NoRespondersError)


async def test_an_ack_that_never_comes_fails_the_append(nc, namespace, ctx):
    store, silent = await unanswered(nc, namespace, ctx, publish_timeout=0.2)
    heard = asyncio.Event()
    await nc.subscribe(silent, cb=functools.partial(_heard, heard))  # takes it, never answers
    await nc.flush()
    with pytest.raises(StoreUnavailable) as failed:
        await store.append(silent, await note(ctx, "lost", "a1"), expected_last_seq=0)
    assert heard.is_set()
    assert isinstance(failed.value.__cause__, nats.errors.TimeoutError)


async def test_a_dropped_connection_fails_the_appends_waiting_for_acks(nc, namespace, ctx):
    store, silent = await unanswered(nc, namespace, ctx, publish_timeout=30.0)
    heard = asyncio.Event()
    await nc.subscribe(silent, cb=functools.partial(_heard, heard))
    await nc.flush()
    waiting = asyncio.ensure_future(
        store.append(silent, await note(ctx, "lost", "a1"), expected_last_seq=0))
    await heard.wait()
    fail_waiting_requests(nc)  # what the platform's disconnected callback does
    with pytest.raises(StoreUnavailable) as failed:
        await waiting
    assert isinstance(failed.value.__cause__, nats.errors.ConnectionReconnectingError)


async def _heard(event: asyncio.Event, msg) -> None:
    event.set()


async def test_publishes_waiting_in_a_group_are_written_at_once_and_arrive_once(nc, nats_url):
    """Four publishes waiting for nats-py's flusher are written by the caller (a busy API's
    appends do not wait behind every other request); the flusher then finds nothing to write
    again, so each message arrives exactly once, in order; fewer are left to the flusher."""
    from interlude.shared.eventstore.acks import GROUP, write_waiting

    listener = await nats.connect(nats_url)
    got: list[bytes] = []
    arrived = asyncio.Event()

    async def heard(msg):
        got.append(msg.data)
        if len(got) == GROUP + 1:
            arrived.set()

    await listener.subscribe("grouped.test", cb=heard)
    await listener.flush()
    try:
        for i in range(GROUP - 1):
            await nc.publish("grouped.test", b"%d" % i)
        assert not write_waiting(nc)  # three wait: the flusher's
        await nc.publish("grouped.test", b"%d" % (GROUP - 1))
        assert write_waiting(nc)  # the fourth: written now
        assert not write_waiting(nc)  # nothing left waiting
        await nc.publish("grouped.test", b"last")  # alone: the flusher writes it
        await asyncio.wait_for(arrived.wait(), 5)
        await asyncio.sleep(0.05)  # a duplicate would have arrived by now
        assert got == [b"%d" % i for i in range(GROUP)] + [b"last"]
    finally:
        await listener.drain()


async def test_every_message_of_a_batch_carries_its_id_its_expectation_and_the_trace(
        store, nc, ctx):
    """The messages of an atomic batch (the middle ones made by the store's own header block)
    are stored with their message id, their expected sequence and the appender's trace."""
    parent = SpanContext(trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736, span_id=0x00F067AA0BA902B7,
                         is_remote=False, trace_flags=TraceFlags(TraceFlags.SAMPLED))
    stream = store.stream
    appends = [Append(stream.subject(ctx.tenant_id, "tally", f"b{i}"),
                      await note(ctx, f"batch {i}", f"b{i}"), idempotency_key=f"k{i}")
               for i in range(5)]
    with trace.use_span(NonRecordingSpan(parent)):
        results = await store.append_many(appends)
    for a, r in zip(appends, results, strict=True):
        assert isinstance(r, AppendResult)
        stored = await nc.jetstream().get_msg(stream.name, r.position)
        assert stored.headers is not None
        assert stored.headers["Nats-Msg-Id"] == message_id(a.subject, a.idempotency_key)
        assert stored.headers["Nats-Expected-Last-Subject-Sequence"] == "0"
        assert stored.headers["traceparent"] == \
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    again = await store.append_many(appends)  # the ids stored are the ones it checks
    assert [(r.position, r.duplicate) for r in again] == [(r.position, True) for r in results]
