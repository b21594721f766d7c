"""Create the product's JetStream streams, their snapshot buckets and the sealing-key bucket as
NATS's admin, with ``INTERLUDE_STREAM_REPLICAS`` replicas (3 in production): what ``make run``
does in ``interlude.shared.stack.provision.provision_streams`` (replicas 1 there). The services'
own NATS users may use the streams but not create them (ADR 0006). Idempotent.
``INTERLUDE_STREAM_NAMESPACE`` names them as the services' settings do (empty in a cluster)."""

import asyncio
import os

import nats

from interlude.shared.eventstore.connection import server_urls
from interlude.shared.eventstore.jetstream import JetStreamEventStore
from interlude.shared.eventstore.streams import DEADLETTER, all_streams, ensure_streams
from interlude.shared.sealing.jetstream_keys import DEFAULT_BUCKET, open_key_store


async def main() -> None:
    replicas = int(os.environ.get("INTERLUDE_STREAM_REPLICAS", "1"))
    namespace = os.environ.get("INTERLUDE_STREAM_NAMESPACE", "")
    nc = await nats.connect(server_urls(os.environ["INTERLUDE_NATS_URL"]), connect_timeout=10,
                            max_reconnect_attempts=10,
                            user=os.environ.get("NATS_ADMIN_USER"),
                            password=os.environ.get("NATS_ADMIN_PASSWORD"))
    try:
        specs = all_streams(namespace)
        await ensure_streams(nc.jetstream(), specs, replicas=replicas)
        for spec in specs:
            if spec.prefix != DEADLETTER:
                await JetStreamEventStore.open(nc, spec, replicas=replicas)
        bucket = DEFAULT_BUCKET + (f"_{namespace}" if namespace else "")
        await open_key_store(nc.jetstream(), replicas=replicas, bucket=bucket)
    finally:
        await nc.close()
    print(f"streams at R{replicas}: {', '.join(s.name for s in specs)}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
