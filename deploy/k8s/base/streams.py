"""Create the product's JetStream streams, their snapshot buckets and the sealing-key bucket as
NATS's admin, with ``INTERLUDE_STREAM_REPLICAS`` replicas (3 in production): what ``make run``
does in ``interlude.shared.stack.provision.provision_streams`` (replicas 1 there). The services'
own NATS users may use the streams but not create them (ADR 0006). Idempotent."""

import asyncio
import os

import nats

from interlude.shared.eventstore.jetstream import JetStreamEventStore
from interlude.shared.eventstore.streams import DEADLETTER, all_streams, ensure_streams
from interlude.shared.sealing.jetstream_keys import open_key_store


async def main() -> None:
    replicas = int(os.environ.get("INTERLUDE_STREAM_REPLICAS", "1"))
    nc = await nats.connect(os.environ["INTERLUDE_NATS_URL"], connect_timeout=10,
                            user=os.environ["NATS_ADMIN_USER"],
                            password=os.environ["NATS_ADMIN_PASSWORD"])
    try:
        specs = all_streams()
        await ensure_streams(nc.jetstream(), specs, replicas=replicas)
        for spec in specs:
            if spec.prefix != DEADLETTER:
                await JetStreamEventStore.open(nc, spec, replicas=replicas)
        await open_key_store(nc.jetstream(), replicas=replicas)
    finally:
        await nc.close()
    print(f"streams at R{replicas}: {', '.join(s.name for s in specs)}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
