"""The event store contract: every store, in memory or on JetStream, behaves the same."""

import asyncio

import pytest

from interlude.shared.eventstore.base import Append, ConcurrencyError, Guard
from interlude.shared.eventstore.jetstream import BATCH_SIZE
from interlude.shared.testing.tally import Counted, Noted


async def envelopes(codec, ctx, *events, aggregate_id="a1"):
    return [await codec.encode(e, ctx, aggregate_id) for e in events]


async def test_appended_commits_read_back_in_order(store, stream, codec, ctx):
    subject = stream.subject(ctx.tenant_id, "tally", "a1")
    first = await store.append(subject, await envelopes(codec, ctx, Counted(by=1)),
                               expected_last_seq=0)
    second = await store.append(subject, await envelopes(codec, ctx, Counted(by=2), Counted(by=3)),
                                expected_last_seq=first.position)
    read = await store.read(subject)
    assert [c.position for c in read.commits] == [first.position, second.position]
    assert [e.payload["by"] for c in read.commits for e in c.envelopes] == [1, 2, 3]
    assert read.last_position == second.position
    assert [c.position for c in (await store.read(subject, after=first.position)).commits] == [
        second.position]


async def test_expected_zero_means_the_subject_must_be_new(store, stream, codec, ctx):
    subject = stream.subject(ctx.tenant_id, "tally", "a1")
    await store.append(subject, await envelopes(codec, ctx, Counted(by=1)), expected_last_seq=0)
    with pytest.raises(ConcurrencyError):
        await store.append(subject, await envelopes(codec, ctx, Counted(by=1)), expected_last_seq=0)


async def test_concurrent_appends_to_one_subject_exactly_one_wins(store, stream, codec, ctx):
    subject = stream.subject(ctx.tenant_id, "tally", "a1")
    base = await store.append(subject, await envelopes(codec, ctx, Counted(by=1)),
                              expected_last_seq=0)
    attempts = [store.append(subject, await envelopes(codec, ctx, Counted(by=i)),
                             expected_last_seq=base.position) for i in range(10)]
    results = await asyncio.gather(*attempts, return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert sum(isinstance(r, ConcurrencyError) for r in results) == 9
    assert len((await store.read(subject)).commits) == 2


async def test_a_guarded_commit_is_refused_once_the_aggregate_it_was_decided_on_moved(
        store, stream, codec, ctx):
    contract = stream.subject(ctx.tenant_id, "tally", "contract")
    signed = await store.append(contract, await envelopes(codec, ctx, Counted(by=1)),
                                expected_last_seq=0)
    guard = Guard(contract, signed.position)
    first = stream.subject(ctx.tenant_id, "tally", "checkin-1")
    await store.append(first, await envelopes(codec, ctx, Noted(note="fine", weight=1)),
                       expected_last_seq=None, guard=guard)
    await store.append(contract, await envelopes(codec, ctx, Counted(by=2)),
                       expected_last_seq=signed.position)  # ended, by someone else
    later = stream.subject(ctx.tenant_id, "tally", "checkin-2")
    with pytest.raises(ConcurrencyError) as refused:
        await store.append(later, await envelopes(codec, ctx, Noted(note="too late", weight=1)),
                           expected_last_seq=None, guard=guard)
    assert refused.value.subject == contract
    assert (await store.read(later)).commits == []


async def test_a_guarded_retry_of_a_stored_commit_is_its_duplicate(store, stream, codec, ctx):
    contract = stream.subject(ctx.tenant_id, "tally", "contract")
    signed = await store.append(contract, await envelopes(codec, ctx, Counted(by=1)),
                                expected_last_seq=0)
    checkin = stream.subject(ctx.tenant_id, "tally", "checkin-1")
    commit = await envelopes(codec, ctx, Noted(note="once", weight=1))
    first = await store.append(checkin, commit, expected_last_seq=None, idempotency_key="k",
                               guard=Guard(contract, signed.position))
    await store.append(contract, await envelopes(codec, ctx, Counted(by=2)),
                       expected_last_seq=signed.position)
    again = await store.append(checkin, commit, expected_last_seq=None, idempotency_key="k",
                               guard=Guard(contract, signed.position))
    assert (again.position, again.duplicate) == (first.position, True)


async def test_retried_idempotency_key_appends_once(store, stream, codec, ctx):
    subject = stream.subject(ctx.tenant_id, "tally", "a1")
    commit = await envelopes(codec, ctx, Counted(by=5))
    first = await store.append(subject, commit, expected_last_seq=0, idempotency_key="k-1")
    # the retry carries the same, now stale, expectation (JetStream answers 10071 to this)
    again = await store.append(subject, commit, expected_last_seq=0, idempotency_key="k-1")
    # and a retry after a reload carries a fresh one
    fresh = await store.append(subject, commit, expected_last_seq=first.position,
                               idempotency_key="k-1")
    assert (again.position, again.duplicate) == (first.position, True)
    assert (fresh.position, fresh.duplicate) == (first.position, True)
    assert len((await store.read(subject)).commits) == 1


async def test_idempotency_keys_are_scoped_to_their_subject(store, stream, codec, ctx):
    a = stream.subject(ctx.tenant_id, "tally", "a1")
    b = stream.subject(ctx.tenant_id, "tally", "b1")
    first = await store.append(a, await envelopes(codec, ctx, Counted(by=1)),
                               expected_last_seq=0, idempotency_key="same")
    second = await store.append(b, await envelopes(codec, ctx, Counted(by=1)),
                                expected_last_seq=0, idempotency_key="same")
    assert not second.duplicate and second.position != first.position


async def test_multi_event_commit_is_all_or_nothing(store, stream, codec, ctx):
    subject = stream.subject(ctx.tenant_id, "tally", "a1")
    commit = await envelopes(codec, ctx, Counted(by=1), Counted(by=2), Counted(by=3))
    broken = list(commit)
    broken[1] = type(commit[1])(**{**{f: getattr(commit[1], f) for f in commit[1].__slots__},
                                    "payload": {"by": object()}})  # fails mid-commit
    with pytest.raises(TypeError):
        await store.append(subject, broken, expected_last_seq=0)
    assert (await store.read(subject)).commits == []
    done = await store.append(subject, commit, expected_last_seq=0)
    (stored,) = (await store.read(subject)).commits
    assert stored.position == done.position and len(stored.envelopes) == 3


async def test_envelope_metadata_survives_the_round_trip(store, stream, codec, ctx):
    subject = stream.subject(ctx.tenant_id, "tally", "a1")
    (sent,) = await envelopes(codec, ctx, Noted(note="n", weight=2))
    await store.append(subject, [sent], expected_last_seq=None)
    (commit,) = (await store.read(subject)).commits
    assert commit.envelopes == (sent,)


async def test_last_position_is_the_streams_head(store, stream, codec, ctx):
    before = await store.last_position()
    subject = stream.subject(ctx.tenant_id, "tally", "a1")
    done = await store.append(subject, await envelopes(codec, ctx, Counted(by=1)),
                              expected_last_seq=None)
    assert await store.last_position() == done.position > before


async def many(codec, ctx, stream, names, *, key=None, expected=0):
    return [Append(stream.subject(ctx.tenant_id, "tally", name),
                   await envelopes(codec, ctx, Counted(by=i), aggregate_id=name),
                   expected_last_seq=expected, idempotency_key=key(name) if key else None)
            for i, name in enumerate(names)]


async def test_append_many_stores_each_commit_on_its_subject(store, stream, codec, ctx):
    appends = await many(codec, ctx, stream, [f"n{i}" for i in range(5)])
    results = await store.append_many(appends)
    assert not any(isinstance(r, Exception) or r.duplicate for r in results)
    for a, result in zip(appends, results, strict=True):
        (commit,) = (await store.read(a.subject)).commits
        assert commit.position == result.position and commit.envelopes == tuple(a.envelopes)
    assert len({r.position for r in results}) == 5


async def test_append_many_refuses_only_the_subjects_that_moved(store, stream, codec, ctx):
    taken = stream.subject(ctx.tenant_id, "tally", "n2")
    first = await store.append(taken, await envelopes(codec, ctx, Counted(by=9)),
                               expected_last_seq=0)
    appends = await many(codec, ctx, stream, [f"n{i}" for i in range(5)])
    results = await store.append_many(appends)
    assert isinstance(results[2], ConcurrencyError) and results[2].subject == taken
    assert [c.position for c in (await store.read(taken)).commits] == [first.position]
    for i in (0, 1, 3, 4):
        (commit,) = (await store.read(appends[i].subject)).commits
        assert commit.position == results[i].position


async def test_append_many_again_with_the_same_keys_answers_duplicates(store, stream, codec, ctx):
    names = [f"n{i}" for i in range(4)]
    first = await store.append_many(await many(codec, ctx, stream, names[:2], key=str))
    again = await store.append_many(await many(codec, ctx, stream, names, key=str))
    assert [(r.position, r.duplicate) for r in again[:2]] == [(r.position, True) for r in first]
    assert not again[2].duplicate and not again[3].duplicate
    for name in names:
        assert len((await store.read(stream.subject(ctx.tenant_id, "tally", name))).commits) == 1


async def test_append_many_takes_more_commits_than_one_batch_holds(store, stream, codec, ctx):
    names = [f"n{i}" for i in range(BATCH_SIZE * 2 + 3)]
    results = await store.append_many(await many(codec, ctx, stream, names))
    assert not any(isinstance(r, Exception) for r in results)
    assert len({r.position for r in results}) == len(names)
    last = stream.subject(ctx.tenant_id, "tally", names[-1])
    assert (await store.read(last)).last_position == results[-1].position


async def test_append_many_takes_one_commit_per_subject(store, stream, codec, ctx):
    twice = await many(codec, ctx, stream, ["n1", "n1"])
    with pytest.raises(ValueError):
        await store.append_many(twice)
    assert (await store.read(twice[0].subject)).commits == []


async def test_append_many_refuses_an_expectation_no_commit_meets_alone(store, stream, codec, ctx):
    appends = await many(codec, ctx, stream, ["n0", "n1", "n2"])
    appends[1] = Append(appends[1].subject, appends[1].envelopes, expected_last_seq=10**9)
    results = await store.append_many(appends)
    assert isinstance(results[1], ConcurrencyError)
    assert (await store.read(appends[1].subject)).commits == []
    for i in (0, 2):
        assert (await store.read(appends[i].subject)).last_position == results[i].position


async def test_a_subject_reads_the_same_whatever_its_commits_expected(store, stream, codec, ctx):
    """JetStream walks a subject back from its last commit along what each append expected;
    every way that chain breaks (an append that expected nothing, one guarded by another
    subject, one of a batch, a tail longer than a walk) must read as a scan reads."""
    subject = stream.subject(ctx.tenant_id, "tally", "mixed")
    other = stream.subject(ctx.tenant_id, "tally", "other")
    positions = []

    async def commit(by: int, **how) -> None:
        result = await store.append(subject, await envelopes(codec, ctx, Counted(by=by)), **how)
        positions.append(result.position)
        await store.append(other, await envelopes(codec, ctx, Counted(by=0)),  # in between
                           expected_last_seq=None)

    await commit(1, expected_last_seq=0)
    await commit(2, expected_last_seq=positions[-1])
    await commit(3, expected_last_seq=None)  # expected nothing: the chain breaks here
    await commit(4, expected_last_seq=positions[-1])
    guard = Guard(other, (await store.read(other)).last_position)
    await commit(5, expected_last_seq=None, guard=guard)  # checked another subject
    [batched] = await store.append_many([Append(subject, await envelopes(
        codec, ctx, Counted(by=6)), expected_last_seq=positions[-1])])
    positions.append(batched.position)
    for by in range(7, 7 + 20):  # longer than one walk
        await commit(by, expected_last_seq=positions[-1])

    for after in (0, *positions):
        read = await store.read(subject, after=after)
        kept = [p for p in positions if p > after]
        assert [c.position for c in read.commits] == kept, after
        assert read.last_position == (kept[-1] if kept else after)
        assert [e.payload["by"] for c in read.commits for e in c.envelopes] == [
            positions.index(p) + 1 for p in kept]
    assert (await store.read(stream.subject(ctx.tenant_id, "tally", "none"))).commits == []


async def test_jetstream_reads_a_chained_tail_without_scanning_the_stream(store, stream, codec,
                                                                          ctx):
    """What a cold load costs follows the aggregate's tail, not what the stream took in since:
    a chained tail is read a message at a time; the scan is kept for a chain that breaks."""
    reader = getattr(store, "_reader", None)
    if reader is None:
        pytest.skip("the walk is JetStream's")
    subject = stream.subject(ctx.tenant_id, "tally", "chained")
    last = 0
    for by in range(1, 4):
        last = (await store.append(subject, await envelopes(codec, ctx, Counted(by=by)),
                                   expected_last_seq=last)).position
    scans = []
    scan = reader.after

    async def counted(*args):
        scans.append(args)
        return await scan(*args)

    reader.after = counted
    assert len((await store.read(subject)).commits) == 3
    assert scans == []
    await store.append(subject, await envelopes(codec, ctx, Counted(by=4)),
                       expected_last_seq=None)
    assert len((await store.read(subject)).commits) == 4
    assert len(scans) == 1
