"""The worker's ``rebuild`` command run in this process (``interlude.shared.worker.rebuild``,
what ``python -m interlude.<service>.worker rebuild`` calls): what it lists, what it refuses,
and a read model damaged by hand rebuilt, its partitions' old checkpoints and consumers gone.
The same command as a process of its own, beside real worker processes:
``test_partitioned_workers.py``."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from nats.js.api import ConsumerConfig
from nats.js.errors import NotFoundError

from interlude.shared.config import PlatformSettings
from interlude.shared.eventstore.streams import StreamSpec
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform
from interlude.shared.testing.tally import TallyProjection
from interlude.shared.worker import rebuild


class Trail(Projection):
    """A record of its own, not a view: never replayed."""

    name = "tally-trail"
    rebuildable = False

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        return None


class Elsewhere(Projection):
    """A projection of a stream nothing has written to yet."""

    name = "tally-elsewhere"


@pytest.fixture
def settings(nats_url: str, postgres_dsn: str, namespace: str, pg_schema: str,
             tmp_path: Path) -> PlatformSettings:
    (tmp_path / "migrations").mkdir()
    return PlatformSettings(service_name="tally", nats_url=nats_url, database_url=postgres_dsn,
                            database_schema=pg_schema, stream_namespace=namespace,
                            master_secret_file=tmp_path / "master.key")


async def test_the_rebuild_command_lists_refuses_and_rebuilds(tallies, settings, namespace,
                                                              tmp_path, capsys) -> None:
    def runners(platform: Platform) -> list[ProjectionRunner]:
        on = {"deadletters": tallies.deadletters}
        return [ProjectionRunner(TallyProjection(), tallies.store.stream, platform.nc,
                                 platform.pool, **on),
                ProjectionRunner(Trail(), tallies.store.stream, platform.nc, platform.pool, **on),
                ProjectionRunner(Elsewhere(), StreamSpec.for_service("absent", namespace),
                                 platform.nc, platform.pool, **on)]

    async def command(*names: str) -> tuple[int, str]:
        code = await rebuild(settings, runners, tmp_path / "migrations", None, list(names))
        return code, capsys.readouterr().out

    await tallies.count("a", 1, 2, 3)
    await tallies.count("b", 10)
    live = tallies.runner()
    await live.catch_up()
    assert await tallies.totals() == {"a": (6, 3), "b": (10, 1)}

    code, said = await command()
    assert code == 0
    lines = {line.split()[0]: line for line in said.splitlines()[1:]}
    assert "at 2 of 2" in lines["tally-totals"]  # two commits, four events
    assert "never rebuilt" in lines["tally-trail"]
    assert "no stream yet" in lines["tally-elsewhere"]

    assert (await command("tally-trail"))[0] == 2
    code, said = await command("tally-totals", "tally-totls")
    assert code == 2 and "no projection named tally-totls" in said

    await live.start()  # a worker pulls: refused, nothing touched
    try:
        code, said = await command("tally-totals")
        assert code == 3 and "worker is running" in said and "tally-totals" in said
    finally:
        await live.stop()

    # rows edited by hand, and what partitioned workers had left behind
    await tallies.pool.execute("UPDATE tally_totals SET total = 999 WHERE aggregate_id = 'a'")
    await tallies.pool.execute("DELETE FROM tally_totals WHERE aggregate_id = 'b'")
    await tallies.pool.execute(
        "INSERT INTO projection_checkpoints (projection, stream, position) VALUES ($1, $2, 2)",
        "tally-totals@1/4", tallies.store.stream.name)
    js = tallies.nc.jetstream()
    await js.add_consumer(tallies.store.stream.name, ConsumerConfig(
        durable_name="tally-totals-p1of4", ack_policy="explicit"))

    code, said = await command("all")  # every one that may be: the totals (and no stream yet)
    assert code == 0, said
    assert "rebuilt tally-totals: 4 events" in said and "tally-trail" not in said
    assert "tally-elsewhere: its stream" in said
    assert await tallies.totals() == {"a": (6, 3), "b": (10, 1)}
    assert await tallies.pool.fetchval(
        "SELECT count(*) FROM projection_checkpoints WHERE projection LIKE 'tally-totals@%'") == 0
    with pytest.raises(NotFoundError):
        await js.consumer_info(tallies.store.stream.name, "tally-totals-p1of4")


class Gated(TallyProjection):
    """The totals, held at a gate once the replay reaches the tally ``b``; then, if told to,
    failing as a lost disk would."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.reached, self.gate, self.fail = asyncio.Event(), asyncio.Event(), fail

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        if any(e.aggregate_id == "b" for e in events):
            self.reached.set()
            await self.gate.wait()
            if self.fail:
                raise OSError("the disk went away")
        await super().apply(conn, events)


async def test_a_rebuild_is_all_or_nothing_and_readers_keep_the_old_read_model_meanwhile(
        tallies) -> None:
    await tallies.count("a", 1, 2, 3)
    await tallies.count("b", 10)
    await tallies.runner().catch_up()
    await tallies.pool.execute("UPDATE tally_totals SET total = 999 WHERE aggregate_id = 'a'")
    damaged = {"a": (999, 3), "b": (10, 1)}

    async def checkpoint() -> int:
        return int(await tallies.pool.fetchval(
            "SELECT position FROM projection_checkpoints WHERE projection = 'tally-totals'"))

    async def halfway(projection: Gated) -> asyncio.Task[int]:
        """A rebuild that has replayed ``a`` (one commit a batch) and waits before ``b``."""
        runner = tallies.runner(projection, batch_size=1, catch_up_batch=1)
        task = asyncio.create_task(runner.rebuild(progress=lambda _: None))
        await asyncio.wait_for(projection.reached.wait(), 10)
        # a reader meanwhile: the read model as it was, neither emptied nor half rebuilt
        assert await tallies.totals() == damaged and await checkpoint() == 2
        return task

    interrupted = Gated()
    task = await halfway(interrupted)
    task.cancel()  # Ctrl-C
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await tallies.totals() == damaged and await checkpoint() == 2

    failing = Gated(fail=True)
    task = await halfway(failing)
    failing.gate.set()
    with pytest.raises(OSError, match="disk went away"):
        await task
    assert await tallies.totals() == damaged and await checkpoint() == 2

    done = Gated()
    task = await halfway(done)
    done.gate.set()
    assert await task == 4
    assert await tallies.totals() == {"a": (6, 3), "b": (10, 1)} and await checkpoint() == 2
