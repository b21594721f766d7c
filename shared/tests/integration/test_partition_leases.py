"""Partition leases (ADR 0013) between workers in one process: a fair share each, a stopped
worker's partitions taken over, and a worker whose lock session is cut stops its runners and
takes partitions again, the read model exact throughout."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator

from interlude.shared.projections.leases import Leases
from interlude.shared.projections.partitions import Partition
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.testing.eventually import eventually

COUNT = 4


@contextlib.asynccontextmanager
async def worker(tallies, postgres_dsn: str, namespace: str) -> AsyncIterator[Leases]:
    async def start(partition: Partition) -> list[ProjectionRunner]:
        runner = tallies.runner(batch_size=20).assign(partition)
        await runner.start()
        return [runner]

    leases = Leases(postgres_dsn, f"leasetest:{namespace}", COUNT, start, poll=0.2)
    task = asyncio.create_task(leases.run())
    try:
        yield leases
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def post(tallies, tenants: list[str], by: int) -> None:
    for tenant in tenants:
        tallies.ctx = dataclasses.replace(tallies.ctx, tenant_id=tenant)
        await tallies.count(tenant[:8], by)


async def test_workers_share_partitions_take_over_and_recover_a_lost_session(
        tallies, postgres_dsn, namespace):
    tenants = [uuid.uuid4().hex for _ in range(12)]
    async with worker(tallies, postgres_dsn, namespace) as one:
        async with worker(tallies, postgres_dsn, namespace) as other:
            await eventually(lambda: sorted((len(one.owned), len(other.owned))) == [2, 2],
                             timeout=10)
            assert not set(one.owned) & set(other.owned)
            await post(tallies, tenants, 1)
        await eventually(lambda: len(one.owned) == COUNT, timeout=10)  # the other stopped
        await post(tallies, tenants, 2)
        await eventually(lambda: _totals(tallies, tenants, 3, 2), timeout=10)

        runners = [r for rs in one.owned.values() for r in rs]
        await tallies.pool.execute(  # the lock session goes, as in a network partition
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
            " AND granted AND objid < $1 AND objsubid = 2 AND pid <> pg_backend_pid()"
            " AND classid = $2::bigint::oid", COUNT, one._partitions)
        await eventually(lambda: all(r._task is None for r in runners), timeout=10)
        await eventually(lambda: len(one.owned) == COUNT, timeout=15)
        await post(tallies, tenants, 4)
        await eventually(lambda: _totals(tallies, tenants, 7, 3), timeout=10)


async def _totals(tallies, tenants: list[str], total: int, events: int) -> bool:
    """Every tenant's tally has ``total`` from ``events`` events: none lost, none twice."""
    totals = await tallies.totals()
    return all(totals.get(t[:8]) == (total, events) for t in tenants)
