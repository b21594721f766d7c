"""engagement's worker: the composition root of its consumers (people, records, dashboard,
community activity, sponsor figures)."""

from __future__ import annotations

import asyncio
import logging
import signal

from interlude.engagement.settings import EngagementSettings
from interlude.engagement.wiring import MIGRATIONS, ensure_sources, runners
from interlude.shared.db import migrate
from interlude.shared.runtime import open_platform

log = logging.getLogger(__name__)


async def run(settings: EngagementSettings, stop: asyncio.Event) -> None:
    platform = await open_platform(settings)
    try:
        async with platform.pool.acquire() as conn:
            await migrate(conn, MIGRATIONS)
        await ensure_sources(platform)
        started = runners(platform)
        for runner in started:
            await runner.start()
        log.info("engagement worker running %s", ", ".join(r.name for r in started))
        await stop.wait()
        for runner in started:
            await runner.stop()
    finally:
        await platform.close()


def main() -> None:
    from interlude.shared.logs import configure_logging

    settings = EngagementSettings()
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
