"""The shape of every service's worker process: open the platform, apply the service's
migrations, run its projection runners until SIGINT or SIGTERM, stop them, close.

A service's ``worker.py`` names its settings, its migrations and its runners (a function of
the platform, plain or async), and calls :func:`main`.

``python -m interlude.<service>.worker rebuild [NAME ...|all]`` rebuilds read models instead
of running them (:mod:`interlude.shared.projections.rebuilding`); with no name it lists them.

By default the worker runs every runner over every tenant, as the only worker of its service.
With ``INTERLUDE_WORKER_PARTITIONS=N`` (ADR 0013) the projections are split by tenant into N
partitions shared among the service's live workers: each runs its share, each partition's
runners built afresh from ``runners``, and takes over a dead worker's within seconds. N=1 is
one active worker, the others on standby.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from interlude.shared.config import PlatformSettings
from interlude.shared.db import migrate
from interlude.shared.logs import configure_logging
from interlude.shared.projections import rebuilding
from interlude.shared.projections.leases import Leases
from interlude.shared.projections.partitions import Partition
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, open_platform, tune_gc
from interlude.shared.telemetry import tracing_from_environment
from interlude.shared.trust.runtime import trust_runner

log = logging.getLogger(__name__)
Runners = Callable[[Platform], list[ProjectionRunner] | Awaitable[list[ProjectionRunner]]]
Prepare = Callable[[Platform], Awaitable[None]]
Background = Callable[[Platform], Coroutine[Any, Any, None]]


class WorkerOptions(BaseSettings):
    """How a worker shares its projections with the service's other workers."""

    model_config = SettingsConfigDict(env_prefix="INTERLUDE_WORKER_", extra="ignore")

    partitions: int = Field(default=0, ge=0)  # 0: this worker runs them all, as the only one


async def run(settings: PlatformSettings, runners: Runners, migrations: Path,
              stop: asyncio.Event, prepare: Prepare | None = None,
              background: Background | None = None, partitions: int = 0) -> None:
    """Run the worker until ``stop`` is set; ``background`` (a loop of the service's own)
    runs beside the runners as a task and is cancelled at the end. ``partitions``: see the
    module's documentation."""
    async with _prepared(settings, migrations, prepare) as platform:
        tasks = [asyncio.create_task(keep_running(background, platform))] \
            if background is not None else []
        started: list[ProjectionRunner] = []
        if partitions:
            tasks.append(asyncio.create_task(_leased(platform, runners, partitions)))
        else:
            started = await _started(platform, runners)
            log.info("%s worker running %s", settings.service_name,
                     ", ".join(r.name for r in started))
        await stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for runner in started:
            await runner.stop()


async def rebuild(settings: PlatformSettings, runners: Runners, migrations: Path,
                  prepare: Prepare | None, names: list[str]) -> int:
    """The ``rebuild`` command on this worker's platform: its exit status."""
    async with _prepared(settings, migrations, prepare) as platform:
        built = await _built(platform, runners)
        return await rebuilding.rebuild(platform, [*built, *await _trust(platform, built)],
                                        names, settings.service_name,
                                        lambda line: print(line, flush=True))


async def _trust(platform: Platform, built: list[ProjectionRunner]) -> list[ProjectionRunner]:
    """The service's trust projection where its API keeps one: the read model its blocks are
    enforced from, so the one a hand's edit must not outlive (its API runs it, the worker's
    command rebuilds it with the rest)."""
    settings = platform.settings
    name = f"{settings.service_name}-trust"
    kept = await platform.pool.fetchval("SELECT to_regclass('trust_policies') IS NOT NULL")
    if not kept or any(r.name == name for r in built):
        return []
    return [trust_runner(platform.nc, platform.pool, service=settings.service_name,
                         namespace=settings.stream_namespace)]


@contextlib.asynccontextmanager
async def _prepared(settings: PlatformSettings, migrations: Path,
                    prepare: Prepare | None) -> AsyncIterator[Platform]:
    """The worker's platform, its migrations applied and the service's ``prepare`` done."""
    platform = await open_platform(settings)
    try:
        async with platform.pool.acquire() as conn:
            await migrate(conn, migrations)
        if prepare is not None:
            await prepare(platform)
        yield platform
    finally:
        await platform.close()


async def _built(platform: Platform, runners: Runners) -> list[ProjectionRunner]:
    made = runners(platform)
    return await made if inspect.isawaitable(made) else made


async def _started(platform: Platform, runners: Runners,
                   partition: Partition | None = None) -> list[ProjectionRunner]:
    built = await _built(platform, runners)
    for runner in built:
        if partition is not None:
            runner.assign(partition)
        await runner.start()
    return built


async def _leased(platform: Platform, runners: Runners, partitions: int) -> None:
    """Run the partitions that fall to this worker until cancelled (which stops them)."""
    settings = platform.settings
    scope = f"{settings.service_name}:{settings.database_schema or ''}:" \
            f"{settings.stream_namespace}"

    async def start(partition: Partition) -> list[ProjectionRunner]:
        return await _started(platform, runners, partition)

    log.info("%s worker sharing %d partitions with the service's other workers",
             settings.service_name, partitions)
    await Leases(settings.database_url, scope, partitions, start).run()


async def keep_running(background: Background, platform: Platform, first: float = 0.5,
                       ceiling: float = 30.0) -> None:
    """Run ``background`` until it returns; when it fails (NATS or PostgreSQL away, say), log
    it and start it again after a pause that doubles while it keeps failing at once. A task
    that died silently would leave the worker running without it for good."""
    loop = asyncio.get_running_loop()
    delay = first
    while True:
        began = loop.time()
        try:
            await background(platform)
            return
        except Exception as err:
            if loop.time() - began > 2 * ceiling:  # it ran fine a good while: a fresh failure
                delay = first
            log.warning("the worker's background task failed (%s: %s); starting it again in "
                        "%.1fs", type(err).__name__, err, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, ceiling)


def main(settings: PlatformSettings, runners: Runners, migrations: Path,
         prepare: Prepare | None = None, background: Background | None = None, *,
         every_runner: Runners | None = None) -> None:
    """The worker process: logs and tracing configured, signals handled, :func:`run` until
    stopped. Its projections' spans continue the traces of the requests that published.
    With the arguments ``rebuild [NAME ...]``, :func:`rebuild` instead (``every_runner``: the
    service's runners in all its worker processes, when this one runs only some)."""
    configure_logging(settings.service_name + "-worker", settings.log_level, settings.log_json)
    if sys.argv[1:2] == ["rebuild"]:
        tune_gc()
        try:
            sys.exit(asyncio.run(rebuild(settings, every_runner or runners, migrations, prepare,
                                         sys.argv[2:])))
        except KeyboardInterrupt:  # the rebuild under way rolls back: one transaction each
            print("interrupted: the read model being rebuilt is as it was before (its rebuild"
                  " is undone), any rebuilt before it stay rebuilt", flush=True)
            sys.exit(130)
    # global: the runners the service's wiring builds take the process's provider
    provider = tracing_from_environment(settings.service_name + "-worker", set_global=True,
                                        fallback=settings.otel_exporter)
    tune_gc()

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run(settings, runners, migrations, stop, prepare, background,
                  partitions=WorkerOptions().partitions)

    asyncio.run(_main())
    if provider is not None:
        provider.shutdown()  # the last batch of spans leaves before the process does
