"""A worker killed with SIGKILL in the middle of its batches loses nothing and applies nothing
twice: rows and checkpoint commit together, and the checkpoint decides what is redelivered."""

import sys

import pytest

from interlude.shared.projections import checkpoints
from interlude.shared.stack.process import spawn
from interlude.shared.testing.eventually import eventually


async def checkpoint(pool) -> int:
    return await pool.fetchval(
        "SELECT coalesce(max(position), 0) FROM projection_checkpoints") or 0


@pytest.mark.slow
async def test_worker_killed_mid_batch_resumes_exactly(tallies, nats_url, postgres_dsn,
                                                       pg_schema, namespace, tmp_path):
    env = {"TALLY_NATS_URL": nats_url, "TALLY_DSN": postgres_dsn, "TALLY_SCHEMA": pg_schema,
           "TALLY_NAMESPACE": namespace, "TALLY_APPLY_DELAY": "0.03"}
    argv = [sys.executable, "-m", "interlude.shared.testing.tally_worker"]
    expected: dict[str, tuple[int, int]] = {}
    last = 0
    for i in range(1500):
        aggregate = f"agg{i % 7}"
        last = await tallies.count(aggregate, i % 5 + 1)
        total, events = expected.get(aggregate, (0, 0))
        expected[aggregate] = (total + i % 5 + 1, events + 1)
    async with tallies.pool.acquire() as conn:
        await checkpoints.ensure_table(conn)

    kills = 0
    for round_ in range(4):
        worker = spawn("tally-worker", argv, tmp_path / f"worker-{round_}.log", env=env)
        try:
            if round_ < 3:
                start = await checkpoint(tallies.pool)
                # let it commit a few batches, then kill it while it is inside another
                await eventually(lambda s=start: _moved(tallies.pool, s + 150), timeout=30)
                worker.kill()
                kills += 1
            else:
                await eventually(lambda: _moved(tallies.pool, last), timeout=30)
        finally:
            worker.stop()
    assert kills == 3
    assert await tallies.totals() == expected


async def _moved(pool, position: int) -> bool:
    return await checkpoint(pool) >= position
