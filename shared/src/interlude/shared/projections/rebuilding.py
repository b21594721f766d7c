"""Rebuilding a service's read models from its streams, as an operator does it: ``python -m
interlude.<service>.worker rebuild [NAME ...|all]`` (:func:`interlude.shared.worker.main`).

A read model is a view of the streams; emptied and replayed, it comes back as the events say it
should, whatever was done to its tables meanwhile (a projection fixed in a release, a database
restored to a point after the streams' backup, rows edited by hand). The command runs where
the worker would (its settings, its migrations, its runners) but instead of it: two runners of
one projection at once would each skip what the other committed, so it refuses while any
worker still pulls from the projection's consumer (or any of its partitions', ADR 0013). Each
rebuild prints its progress every second, and is one transaction: readers see the read model
as it was until the rebuilt one commits, and an interrupted or failed rebuild changes nothing.
Partitioned workers started afterwards begin where the rebuilt projection stands: the
partitions' old checkpoints go in that transaction, their consumers once it has committed.

Projections whose effects a replay would repeat (``rebuildable = False``: audit's trail,
community's reactions) are never rebuilt."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable, Sequence

import asyncpg
from nats.js.errors import NotFoundError

from interlude.shared.projections import checkpoints
from interlude.shared.projections.partitions import is_partition_consumer
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform

# how long the command watches a projection's consumers for a worker's pull requests: a worker
# that keeps up keeps one open (renewed every second), one catching up asks again at once
WATCH_S = 3.0
EXIT_FAILED, EXIT_USAGE, EXIT_RUNNING = 1, 2, 3

Say = Callable[[str], None]


def chosen(runners: Sequence[ProjectionRunner], names: Sequence[str]
           ) -> tuple[list[ProjectionRunner], str | None]:
    """The runners ``names`` asks for (``all``: every rebuildable one the worker runs; one an
    API runs, the trust projection, is rebuilt when named), or why none can be."""
    by_name = {r.name: r for r in runners}
    if list(names) == ["all"]:
        return [r for r in runners
                if r.projection.rebuildable and r.projection.runs_in == "worker"], None
    unknown = [n for n in names if n not in by_name]
    if unknown:
        return [], (f"no projection named {', '.join(unknown)} here; this worker's are: "
                    f"{', '.join(by_name)}")
    refused = [n for n in names if not by_name[n].projection.rebuildable]
    if refused:
        return [], (f"{', '.join(refused)} cannot be rebuilt: replaying it would act again "
                    "(it appends events, or keeps a record of its own, not a view)")
    return [by_name[n] for n in dict.fromkeys(names)], None


async def listing(platform: Platform, runners: Sequence[ProjectionRunner], say: Say) -> None:
    """Each projection, its stream, where it stands and whether it may be rebuilt."""
    async with platform.pool.acquire() as conn:
        await checkpoints.ensure_table(conn)
        rows = await conn.fetch("SELECT projection, stream, position FROM projection_checkpoints")
    stands = {(r["projection"], r["stream"]): int(r["position"]) for r in rows}
    for runner in runners:
        last = await stream_end(platform, runner)
        at = stands.get((runner.name, runner.source.name), 0)
        note = "" if runner.projection.rebuildable else "  (never rebuilt)"
        if last is None:
            note += "  (no stream yet: nothing written)"
        say(f"  {runner.name:<40} {runner.source.name:<28} at {at:,} of {last or 0:,}{note}")


async def stream_end(platform: Platform, runner: ProjectionRunner) -> int | None:
    """The last position of the runner's stream; None while the stream does not exist (a
    service that has written nothing yet creates it on its first start)."""
    try:
        info = await platform.nc.jetstream().stream_info(runner.source.name)
    except NotFoundError:
        return None
    return int(info.state.last_seq)


async def pulling(platform: Platform, runner: ProjectionRunner) -> list[str]:
    """The projection's consumers (its own and its partitions') that a worker is pulling from,
    watched for :data:`WATCH_S`."""
    js = platform.nc.jetstream()
    name = runner.projection.name
    seen: set[str] = set()
    deadline = asyncio.get_running_loop().time() + WATCH_S
    while True:
        for info in await js.consumers_info(runner.source.name):
            consumer = info.name or ""
            if (consumer == name or is_partition_consumer(name, consumer)) and info.num_waiting:
                seen.add(consumer)
        if seen or asyncio.get_running_loop().time() >= deadline:
            return sorted(seen)
        await asyncio.sleep(0.25)


async def forget_partitions(conn: asyncpg.Connection, runner: ProjectionRunner) -> None:
    """Remove the checkpoints of the projection's partitions (in the rebuild's transaction),
    so partitioned workers start from the rebuilt checkpoint rather than from where they
    stood before."""
    await conn.execute("DELETE FROM projection_checkpoints WHERE stream = $1 AND"
                       " starts_with(projection, $2)", runner.source.name,
                       f"{runner.projection.name}@")


async def forget_partition_consumers(platform: Platform, runner: ProjectionRunner) -> None:
    """Their consumers, once the rebuild has committed: a partition's consumer is made again
    at its checkpoint when its worker starts."""
    name = runner.projection.name
    js = platform.nc.jetstream()
    for info in await js.consumers_info(runner.source.name):
        if is_partition_consumer(name, info.name or ""):
            with contextlib.suppress(NotFoundError):  # gone meanwhile: so much the better
                await js.delete_consumer(runner.source.name, info.name)


async def rebuild(platform: Platform, runners: Sequence[ProjectionRunner],
                  names: Sequence[str], service: str, say: Say) -> int:
    """The ``rebuild`` command: its exit status (0 done, 1 failed and undone, 2 a wrong name,
    3 a worker running)."""
    if not names:
        say(f"{service}'s projections (rebuild them with: rebuild NAME [NAME ...], or all):")
        await listing(platform, runners, say)
        return 0
    todo, refusal = chosen(runners, names)
    if refusal is not None:
        say(refusal)
        return EXIT_USAGE
    for runner in [r for r in todo if await stream_end(platform, r) is None]:
        say(f"{runner.name}: its stream {runner.source.name} does not exist yet, nothing to"
            " rebuild")
        todo.remove(runner)
    for runner in todo:
        busy = await pulling(platform, runner)
        if busy:
            runs = runner.projection.runs_in
            say(f"{service}'s {runs} is running: it pulls from {', '.join(busy)}. Stop it first"
                f" (on Kubernetes: kubectl -n interlude scale deployment/{service}-{runs}"
                " --replicas=0), run this again, then start it again.")
            return EXIT_RUNNING
    async with platform.pool.acquire() as conn:
        await checkpoints.ensure_table(conn)  # before partitions' rows are looked for
    for runner in todo:
        try:
            await runner.rebuild(progress=say, also=functools.partial(forget_partitions,
                                                                      runner=runner))
        except Exception as err:  # rolled back: nothing of this read model changed
            say(f"rebuilding {runner.name} failed ({type(err).__name__}: {err}); it is as it"
                " was before. Run the command again; the worker can be started meanwhile.")
            return EXIT_FAILED
        await forget_partition_consumers(platform, runner)
    say(f"rebuilt {len(todo)} of {service}'s projections; start its worker again")
    return 0
