"""The frame of a service's demo seed (``ServiceSpec.seed``, run by ``make run`` once the
stack is up): the platform opened on the service's settings, its migrations applied, its
sources ensured, the organisations' policies followed; and all closed again.

    async def seed(platform_settings: PlatformSettings) -> list[tuple[str, str, str]]:
        settings = NotifySettings(**platform_settings.model_dump(exclude={"service_name"}))
        async with seeding(settings, service="notify", migrations=MIGRATIONS,
                           prepare=ensure_sources) as (platform, trust):
            deps = await build_notify(platform, settings, trust)
            ...
            return []  # the logins it made, (role, email, password): none here
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from pathlib import Path

import asyncpg

from interlude.shared import directory
from interlude.shared.config import PlatformSettings
from interlude.shared.runtime import Platform, started
from interlude.shared.sealing import Sealer
from interlude.shared.trust.runtime import Trust, start_trust

DemoPeople = dict[str, tuple[str, str]]  # a demo person's name: (user id, first role)


@contextlib.asynccontextmanager
async def seeding(settings: PlatformSettings, *, service: str, migrations: Path,
                  prepare: Callable[[Platform], Awaitable[None]]
                  ) -> AsyncIterator[tuple[Platform, Trust]]:
    """The open platform and a trust cache that follows the policies the running API
    projects (``project=False``: the seed is a passing guest, and polls often so that a
    policy just set by identity's seed is seen within a second)."""
    async with started(settings, migrations=migrations, prepare=prepare) as platform:
        trust = await start_trust(platform.nc, platform.pool, service=service,
                                  namespace=settings.stream_namespace, project=False,
                                  poll_interval=0.25)
        try:
            yield platform, trust
        finally:
            await trust.stop()


async def demo_people(pool: asyncpg.Pool, sealer: Sealer, wanted: Collection[str], *,
                      service: str, also: Callable[[str, DemoPeople], Awaitable[bool]] | None
                      = None, waiting_for: str = "identity's demo people",
                      timeout: float = 90) -> tuple[str, DemoPeople]:
    """The organisation and the demo people named ``wanted``, once the service's directory
    has them all (identity's seed made them; the service's worker projects them) and ``also``
    (what else the seed needs first) holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        rows = await directory.named(pool, sealer, wanted)
        people = {r["display_name"]: (r["user_id"], r["roles"][0]) for r in rows}
        if set(people) == set(wanted):
            tenant = rows[0]["tenant_id"]
            if also is None or await also(tenant, people):
                return tenant, people
        if loop.time() > deadline:
            raise RuntimeError(f"{waiting_for} did not reach {service} within {timeout:.0f}s:"
                               f" is its worker running?")
        await asyncio.sleep(0.25)
