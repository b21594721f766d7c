"""The puller under a projection that keeps up: one long poll serves many fetches, messages come
in stream order without loss or repeat, and a short batch waits for what follows it."""

import asyncio

from nats.js.api import AckPolicy, ConsumerConfig

from interlude.shared.projections.puller import Puller
from interlude.shared.projections.runner import stream_position


async def consumer(tallies, name: str, linger: float) -> Puller:
    stream = tallies.store.stream
    await tallies.nc.jetstream().add_consumer(stream.name, ConsumerConfig(
        durable_name=name, ack_policy=AckPolicy.ALL, filter_subject=f"{stream.prefix}.>",
        max_ack_pending=100))
    return await Puller(tallies.nc, stream.name, name, linger=linger).start()


async def test_events_trickling_in_arrive_in_order_each_once(tallies):
    puller = await consumer(tallies, "trickle", linger=0.0)
    try:
        assert await puller.fetch(10, timeout=0.2) == []  # dry: a long poll is now open
        positions, seen = [], []
        for i in range(25):
            positions.append(await tallies.count(f"a{i % 3}", 1))
            if i % 4 == 0:  # fetches in between take what has come so far
                got = await puller.fetch(10, timeout=2)
                seen += [stream_position(m) for m in got]
                await got[-1].ack()
        while len(seen) < len(positions):
            got = await puller.fetch(10, timeout=2)
            assert got, f"missing {sorted(set(positions) - set(seen))}"
            assert len(got) <= 10
            seen += [stream_position(m) for m in got]
            await got[-1].ack()
        assert seen == positions
    finally:
        await puller.close()


async def test_a_short_batch_waits_for_the_events_that_follow_it(tallies):
    puller = await consumer(tallies, "linger", linger=3.0)
    try:
        assert await puller.fetch(10, timeout=0.2) == []
        first = await tallies.count("a", 1)
        fetching = asyncio.create_task(puller.fetch(10, timeout=5))
        await asyncio.sleep(0.05)
        rest = [await tallies.count("b", 2), await tallies.count("c", 3)]
        got = await fetching
        assert [stream_position(m) for m in got] == [first, *rest]
    finally:
        await puller.close()


async def test_a_full_batch_comes_at_once_without_waiting_out_the_linger(tallies):
    positions = [await tallies.count(f"a{i}", 1) for i in range(7)]
    puller = await consumer(tallies, "full", linger=60.0)
    try:
        async with asyncio.timeout(30):  # far less than the linger: a full batch does not wait
            got = await puller.fetch(5, timeout=5)
            assert [stream_position(m) for m in got] == positions[:5]
            await got[-1].ack()
    finally:
        await puller.close()
