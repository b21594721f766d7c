"""identity's worker: the composition root of its consumers (the directory read model)."""

from __future__ import annotations

import asyncio
import logging
import signal

from interlude.identity.projections.directory import Directory
from interlude.identity.settings import IdentitySettings
from interlude.identity.wiring import MIGRATIONS, codec
from interlude.shared.db import migrate
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, open_platform

log = logging.getLogger(__name__)


def runners(platform: Platform) -> list[ProjectionRunner]:
    directory = Directory(codec(platform), platform.keyring)
    return [ProjectionRunner(directory, platform.stream("identity"), platform.nc, platform.pool,
                             deadletters=platform.stream("deadletter"), batch_size=200)]


async def run(settings: IdentitySettings, stop: asyncio.Event) -> None:
    platform = await open_platform(settings)
    try:
        async with platform.pool.acquire() as conn:
            await migrate(conn, MIGRATIONS)
        started = runners(platform)
        for runner in started:
            await runner.start()
        log.info("identity worker running %s", ", ".join(r.name for r in started))
        await stop.wait()
        for runner in started:
            await runner.stop()
    finally:
        await platform.close()


def main() -> None:
    from interlude.shared.logs import configure_logging

    settings = IdentitySettings()
    configure_logging(settings.service_name + "-worker", settings.log_level, settings.log_json)

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run(settings, stop)

    asyncio.run(_main())


if __name__ == "__main__":
    main()
