"""A projection run in partitions by tenant (ADR 0013), on real servers: each partition's runner
applies only its tenants' events, a projection that ran unpartitioned goes on where it stood,
and a reader waits for the slowest partition."""

from __future__ import annotations

import dataclasses
import uuid

from interlude.shared.projections.partitions import Partition, partition_of
from interlude.shared.projections.waiter import PositionWaiter


def tenant_in(partition: int, count: int) -> str:
    while partition_of(tenant := uuid.uuid4().hex, count) != partition:
        pass
    return tenant


async def test_partitions_continue_where_the_projection_stood_and_a_reader_waits_for_all(
        tallies, postgres_dsn):
    await tallies.count("before", 1, 2)
    await tallies.runner().catch_up()  # unpartitioned, as every projection ran until now
    assert await tallies.totals() == {"before": (3, 2)}

    positions = {}
    for index, name in ((0, "zero"), (1, "one")):
        tallies.ctx = dataclasses.replace(tallies.ctx, tenant_id=tenant_in(index, 2))
        positions[name] = await tallies.count(name, 10 + index)
    zero, one = (tallies.runner().assign(Partition(i, 2)) for i in range(2))
    waiter = PositionWaiter(postgres_dsn, tallies.pool)
    await waiter.start()
    try:
        await zero.catch_up()
        assert await tallies.totals() == {"before": (3, 2), "zero": (10, 1)}
        assert not await waiter.wait(zero.projection.name, zero.source.name,
                                     positions["zero"], timeout=0.3)
        await one.catch_up()
        assert await tallies.totals() == {"before": (3, 2), "zero": (10, 1), "one": (11, 1)}
        assert await waiter.wait(zero.projection.name, zero.source.name, positions["one"],
                                 timeout=2)
    finally:
        await waiter.stop()
