"""The projection runner on real servers: checkpoints, poison events, rebuilds, waiting."""

import asyncio

import orjson

from interlude.shared.eventstore.streams import StreamSpec
from interlude.shared.projections.waiter import PositionWaiter
from interlude.shared.testing.eventually import eventually
from interlude.shared.testing.tally import POISON, TallyProjection


async def test_events_are_projected_and_a_reader_can_wait_for_its_write(tallies, postgres_dsn):
    runner = tallies.runner()
    waiter = PositionWaiter(postgres_dsn, tallies.pool)
    await waiter.start()
    await runner.start()
    try:
        await tallies.count("a", 1, 2)
        position = await tallies.count("b", 5)
        assert await waiter.wait(runner.name, runner.source.name, position, timeout=5)
        assert await tallies.totals() == {"a": (3, 2), "b": (5, 1)}
        assert not await waiter.wait(runner.name, runner.source.name, position + 100, timeout=0.2)
    finally:
        await runner.stop()
        await waiter.stop()


async def test_a_poison_event_is_dead_lettered_and_later_events_still_project(tallies):
    await tallies.count("a", 1)
    poisoned = await tallies.count("a", POISON)
    await tallies.count("a", 10)
    runner = tallies.runner()
    await runner.catch_up()
    assert await tallies.totals() == {"a": (11, 2)}
    js = tallies.nc.jetstream()
    msg = await js.get_last_msg(tallies.deadletters.name,
                                f"{tallies.deadletters.prefix}.{runner.name}.{runner.source.name}")
    assert msg.headers["Interlude-Source-Position"] == str(poisoned)
    assert "unlucky number" in msg.headers["Interlude-Reason"]
    assert runner.dead_lettered == 1 and runner.position > poisoned


async def test_a_message_that_cannot_be_decoded_is_dead_lettered(tallies):
    await tallies.count("a", 1)
    js = tallies.nc.jetstream()
    subject = tallies.store.stream.subject(tallies.ctx.tenant_id, "tally", "a")
    await js.publish(subject, b"\x00not json")
    await js.publish(subject, orjson.dumps({"events": [{"type": "half an envelope"}]}))
    await tallies.count("a", 2)
    runner = tallies.runner()
    await runner.catch_up()
    assert await tallies.totals() == {"a": (3, 2)}
    assert runner.dead_lettered == 2


async def test_redelivered_events_are_skipped(tallies):
    await tallies.count("a", 1, 2, 3)
    await tallies.runner().catch_up()
    # a second worker starting from scratch on the same read model applies nothing again
    again = tallies.runner()
    await again.catch_up()
    assert await tallies.totals() == {"a": (6, 3)}


async def test_a_small_ack_window_does_not_stall_the_consumer(tallies):
    for i in range(30):
        await tallies.count(f"agg{i % 3}", 1)
    # max_ack_pending is only 8 here
    await tallies.runner(batch_size=2, catch_up_batch=2).catch_up()
    assert sum(n for _, n in (await tallies.totals()).values()) == 30


async def test_rebuild_equals_the_incremental_result(tallies):
    lines: list[str] = []
    runner = tallies.runner(batch_size=7)
    await runner.start()
    for i in range(60):
        await tallies.count(f"agg{i % 4}", 100 + i)
    await tallies.count("agg0", POISON)
    last = await tallies.count("agg1", 1)
    await eventually(lambda: runner.position >= last)
    incremental = await tallies.totals()
    assert await runner.rebuild(progress=lines.append) == 61
    assert await tallies.totals() == incremental
    assert lines and lines[-1].startswith("rebuilt tally-totals: 61 events")
    await tallies.count("agg2", 1000)  # the runner is live again after the rebuild

    async def resumed():
        return (await tallies.totals())["agg2"][0] == incremental["agg2"][0] + 1000

    await eventually(resumed, what="the runner resuming after the rebuild")
    await runner.stop()


class CountedBatches(TallyProjection):
    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    async def apply(self, conn, events) -> None:
        self.sizes.append(len(events))
        await super().apply(conn, events)


async def test_a_consumer_far_behind_catches_up_in_bigger_batches_then_keeps_up_in_small(
        tallies):
    for start in range(0, 600, 50):
        await asyncio.gather(*(tallies.count(f"agg{i % 5}", 1) for i in range(start, start + 50)))
    projection = CountedBatches()
    runner = tallies.runner(projection, batch_size=10, catch_up_batch=250)
    await runner.start()
    try:
        await eventually(lambda: runner.position >= 600, what="catching up")
        # after its first batch it sees 590 waiting: batches of 250 (the fetch may split one)
        assert projection.sizes[0] == 10 and max(projection.sizes) == 250
        assert len(projection.sizes) <= 8  # not 60 transactions of 10
        caught_up = len(projection.sizes)
        for _ in range(3):  # one at a time, as a live consumer sees them
            position = await tallies.count("live", 1)
            await eventually(lambda p=position: runner.position >= p, what="the live event")
        assert projection.sizes[caught_up:] == [1, 1, 1]
        assert (await tallies.totals())["live"] == (3, 3)
        assert sum(n for _, n in (await tallies.totals()).values()) == 603
    finally:
        await runner.stop()


def test_streams_are_namespaced_per_test(namespace):
    assert StreamSpec.for_service("tally", namespace).name.startswith(namespace.upper())
