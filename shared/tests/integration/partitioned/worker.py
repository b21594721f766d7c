"""A worker process of a test projection that records, per tenant, every event it applies and
in which order, run by ``interlude.shared.worker.main`` as a service's worker is (so
``INTERLUDE_WORKER_PARTITIONS`` shares its partitions with the other such processes).
Configured by ``INTERLUDE_*`` variables; its stream is the namespace's ``tally``."""

from __future__ import annotations

import os
from pathlib import Path

import asyncpg

from interlude.shared import worker
from interlude.shared.config import PlatformSettings
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform


class Seen(Projection):
    name = "order-seen"
    tables = ("seen",)

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        await conn.executemany("INSERT INTO seen (tenant_id, n, pid) VALUES ($1, $2, $3)",
                               [(e.tenant_id, e.payload["by"], os.getpid()) for e in events])


def runners(platform: Platform) -> list[ProjectionRunner]:
    return [ProjectionRunner(Seen(), platform.stream("tally"), platform.nc, platform.pool,
                             deadletters=platform.stream("deadletter"), batch_size=20)]


if __name__ == "__main__":
    worker.main(PlatformSettings(service_name="ordertest"), runners,
                Path(__file__).parent / "migrations")
