"""A worker process running the tally projection, for crash tests: kill it with SIGKILL at
any moment and start it again; the read model must come out exact.

Configured by environment: TALLY_NATS_URL, TALLY_DSN, TALLY_SCHEMA, TALLY_NAMESPACE,
TALLY_APPLY_DELAY (seconds of pg_sleep inside each batch's transaction).
"""

from __future__ import annotations

import asyncio
import os

import nats

from interlude.shared.db import create_pool
from interlude.shared.eventstore.streams import StreamSpec
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.testing.tally import TallyProjection


async def main() -> None:
    env = os.environ
    nc = await nats.connect(env["TALLY_NATS_URL"])
    pool = await create_pool(env["TALLY_DSN"], schema=env["TALLY_SCHEMA"])
    namespace = env["TALLY_NAMESPACE"]
    runner = ProjectionRunner(
        TallyProjection(apply_delay=float(env.get("TALLY_APPLY_DELAY", "0"))),
        StreamSpec.for_service("tally", namespace), nc, pool,
        # batches of 50 even while behind: the crash tests kill it inside one of many
        deadletters=StreamSpec.for_service("deadletter", namespace), batch_size=50,
        catch_up_batch=50)
    await runner.start()
    print("worker ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
