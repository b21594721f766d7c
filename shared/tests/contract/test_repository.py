"""Loading and saving aggregates on both stores: cache, snapshots, upcasting, conflicts."""

from dataclasses import replace

import pytest

from interlude.shared.eventstore.base import ConcurrencyError, Snapshot
from interlude.shared.eventstore.repository import Created, Repository
from interlude.shared.testing.tally import TALLY, Counted, Noted, Tally


class CountingStore:
    """Wraps a store and remembers what was read, to see where a load got its events."""

    def __init__(self, inner):
        self.inner = inner
        self.reads: list[int] = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    async def read(self, subject, after=0):
        self.reads.append(after)
        return await self.inner.read(subject, after)


def repo(store, stream, codec, **options):
    return Repository(store, stream, TALLY, codec, **options)


async def test_a_new_aggregate_loads_as_initial_state_at_version_zero(store, stream, codec, ctx):
    loaded = await repo(store, stream, codec).load(ctx.tenant_id, "a1")
    assert (loaded.state, loaded.version) == (Tally(), 0)


async def test_execute_appends_and_load_returns_state_and_last_position(store, stream, codec, ctx):
    r = repo(store, stream, codec)
    first = await r.execute(ctx.tenant_id, "a1", lambda s: [Counted(by=2)], ctx)
    second = await r.execute(ctx.tenant_id, "a1", lambda s: [Counted(by=s.total)], ctx)
    cold = await repo(store, stream, codec).load(ctx.tenant_id, "a1")
    assert cold.state.total == 4 and cold.version == second.position > first.position


async def test_a_decision_with_no_events_appends_nothing(store, stream, codec, ctx):
    r = repo(store, stream, codec)
    assert await r.execute(ctx.tenant_id, "a1", lambda s: [], ctx) is None
    assert (await store.read(stream.subject(ctx.tenant_id, "tally", "a1"))).commits == []


async def test_execute_position_answers_the_last_commit_when_nothing_was_decided(
        store, stream, codec, ctx):
    r = repo(store, stream, codec)
    written = await r.execute_position(ctx.tenant_id, "a1", lambda s: [Counted(by=1)], ctx)
    assert written > 0
    assert await r.execute_position(ctx.tenant_id, "a1", lambda s: [], ctx) == written


async def test_warm_loads_come_from_the_cache(store, stream, codec, ctx):
    spy = CountingStore(store)
    r = repo(spy, stream, codec)
    await r.execute(ctx.tenant_id, "a1", lambda s: [Counted(by=1)], ctx)
    spy.reads.clear()
    loaded = await r.load(ctx.tenant_id, "a1")
    assert loaded.state.total == 1 and spy.reads == []


async def test_a_stale_cache_cannot_overwrite_another_writer(store, stream, codec, ctx):
    mine, theirs = repo(store, stream, codec), repo(store, stream, codec)
    await mine.execute(ctx.tenant_id, "a1", lambda s: [Counted(by=1)], ctx)
    await theirs.execute(ctx.tenant_id, "a1", lambda s: [Counted(by=10)], ctx)
    stale = await mine.load(ctx.tenant_id, "a1")
    assert stale.state.total == 1  # the cache does not know about the other writer
    with pytest.raises(ConcurrencyError):
        await mine.append(stale, [Counted(by=100)], ctx)
    # execute reloads and decides again on the true state
    await mine.execute(ctx.tenant_id, "a1", lambda s: [Counted(by=s.total)], ctx)
    assert (await repo(store, stream, codec).load(ctx.tenant_id, "a1")).state.total == 22


async def test_current_sees_another_writer_by_reading_only_the_tail(store, stream, codec, ctx):
    spy = CountingStore(store)
    mine, theirs = repo(spy, stream, codec), repo(store, stream, codec)
    first = await mine.execute(ctx.tenant_id, "a1", lambda s: [Counted(by=1)], ctx)
    await theirs.execute(ctx.tenant_id, "a1", lambda s: [Counted(by=10)], ctx)
    spy.reads.clear()
    now = await mine.current(ctx.tenant_id, "a1")
    assert now.state.total == 11 and spy.reads == [first.position]  # the tail, not a replay
    assert (await mine.load(ctx.tenant_id, "a1")).state.total == 11  # and the cache knows it
    again = await mine.current(ctx.tenant_id, "a1")
    assert again.version == now.version and spy.reads[-1] == now.version


async def test_old_event_versions_are_upcast_on_load(store, stream, codec, ctx):
    (v2,) = [await codec.encode(Noted(note="hello", weight=3), ctx, "a1")]
    v1 = replace(v2, schema_version=1, payload={"note": "old"})
    subject = stream.subject(ctx.tenant_id, "tally", "a1")
    await store.append(subject, [v1, v2], expected_last_seq=0)
    state = (await repo(store, stream, codec).load(ctx.tenant_id, "a1")).state
    assert state.notes == ("old", "hello") and state.weight == 4


async def test_cold_load_reads_only_the_tail_after_the_snapshot(store, stream, codec, ctx):
    writer = repo(store, stream, codec, snapshot_every=10)
    for i in range(25):
        await writer.execute(ctx.tenant_id, "a1", lambda s, i=i: [Counted(by=i)], ctx)
    await writer.flush()
    subject = stream.subject(ctx.tenant_id, "tally", "a1")
    snapshot = await store.get_snapshot(subject)
    assert snapshot is not None
    spy = CountingStore(store)
    loaded = await repo(spy, stream, codec).load(ctx.tenant_id, "a1")
    assert loaded.state.total == sum(range(25))
    assert spy.reads == [snapshot.position]
    assert loaded.version == (await store.read(subject)).last_position


async def test_a_snapshot_of_another_state_version_is_ignored(store, stream, codec, ctx):
    r = repo(store, stream, codec)
    await r.execute(ctx.tenant_id, "a1", lambda s: [Counted(by=7)], ctx)
    subject = stream.subject(ctx.tenant_id, "tally", "a1")
    done = (await store.read(subject)).last_position
    await store.put_snapshot(subject, Snapshot(done, 99, b'{"total": 1000}'))
    assert (await repo(store, stream, codec).load(ctx.tenant_id, "a1")).state.total == 7


async def test_create_many_creates_each_aggregate_and_refuses_a_taken_id(
        store, stream, codec, ctx):
    r = repo(store, stream, codec)
    await r.create(ctx.tenant_id, "a2", [Counted(by=7)], ctx)
    results = await r.create_many([Created(ctx.tenant_id, f"a{i}", [Counted(by=i)], ctx)
                                   for i in range(4)])
    assert isinstance(results[2], ConcurrencyError)
    cold = repo(store, stream, codec)
    assert [(await cold.load(ctx.tenant_id, f"a{i}")).state.total for i in range(4)] == [
        0, 1, 7, 3]
    assert (await r.load(ctx.tenant_id, "a3")).version == results[3].position


async def test_create_many_again_with_the_same_keys_creates_nothing_more(
        store, stream, codec, ctx):
    r = repo(store, stream, codec)
    created = [Created(ctx.tenant_id, f"a{i}", [Counted(by=1)], ctx, idempotency_key=f"k{i}")
               for i in range(3)]
    first = await r.create_many(created)
    again = await r.create_many(created)
    assert [(a.position, a.duplicate) for a in again] == [(f.position, True) for f in first]
    assert (await repo(store, stream, codec).load(ctx.tenant_id, "a1")).state.total == 1
