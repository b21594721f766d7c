"""A tenant's partition is the one NATS's own ``partition()`` subject transform gives it, so
the mapping stays put should the partition ever move into the subjects (ADR 0013)."""

from __future__ import annotations

import json
import uuid

from nats.aio.client import Client as NATS

from interlude.shared.projections.partitions import partition_of


async def test_a_tenants_partition_is_the_one_nats_partition_transform_gives(
        nc: NATS, namespace: str) -> None:
    stream = f"{namespace}_MAP".upper()
    config = {"name": stream, "subjects": [f"{namespace}.in.*"], "storage": "memory",
              "subject_transform": {"src": f"{namespace}.in.*",
                                    "dest": f"{namespace}.out.{{{{partition(7,1)}}}}"
                                            ".{{wildcard(1)}}"}}
    created = json.loads((await nc.request(f"$JS.API.STREAM.CREATE.{stream}",
                                           json.dumps(config).encode(), timeout=5)).data)
    assert "error" not in created, created
    js = nc.jetstream()
    tenants = [uuid.uuid4().hex for _ in range(40)]
    for tenant in tenants:
        await js.publish(f"{namespace}.in.{tenant}", b"{}", stream=stream)
    by_nats = {}
    for seq in range(1, len(tenants) + 1):
        subject = (await js.get_msg(stream, seq)).subject
        _, _, partition, tenant = subject.split(".")
        by_nats[tenant] = int(partition)
    assert by_nats == {t: partition_of(t, 7) for t in tenants}
    assert len(set(by_nats.values())) > 1
    await js.delete_stream(stream)
