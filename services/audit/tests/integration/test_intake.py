"""Intake: events of any stream and access events become chained, content-free records."""

from __future__ import annotations

import asyncpg
import pytest
from nats.aio.client import Client as NATS

from interlude.audit.domain.hashing import GENESIS, chain_hash
from interlude.shared.access import Access, AccessRecorder
from interlude.shared.events.envelope import Actor
from interlude.shared.eventstore.streams import StreamSpec
from interlude.shared.projections import checkpoints
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.testing.eventually import eventually

from .trail import post_check_ins, records


async def test_events_become_numbered_chained_records_without_content(
        nc: NATS, namespace: str, audit_db: asyncpg.Pool, intake: list[ProjectionRunner],
        tenant_id: str) -> None:
    await post_check_ins(nc, namespace, tenant_id, "coachee1", 3)
    recorder = AccessRecorder(nc.jetstream(), StreamSpec.for_service("access", namespace),
                              "engagement")
    await recorder.record(Access(tenant_id=tenant_id, actor=Actor("coach1", ("coach",)),
                                 action="read", resource_type="checkin", resource_id="c1",
                                 data_subject="coachee1", request_id="req-2"))
    await recorder.record(Access(tenant_id=tenant_id, actor=Actor("coach1", ("coach",)),
                                 action="read", resource_type="message", resource_id="m1",
                                 outcome="denied", reason="messaging.enabled",
                                 policy_version=4, request_id="req-3"))

    async def all_in() -> bool:
        return len(await records(audit_db, tenant_id)) == 5

    await eventually(all_in, timeout=5)
    rows = await records(audit_db, tenant_id)
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
    previous = GENESIS
    for row in rows:
        previous = chain_hash(previous, bytes(row["record"]))
        assert bytes(row["chain_hash"]) == previous
    # each source stream has its own intake: check-ins and access events interleave freely
    check_in = next(r for r in rows if r["action"] == "engagement.CheckInPosted")
    assert check_in["actor_id"] == "coachee1" and check_in["data_subjects"] == ["coachee1"]
    assert (check_in["target_type"], check_in["outcome"]) == ("checkin", "succeeded")
    denied = next(r for r in rows if r["outcome"] == "denied")
    assert denied["action"] == "engagement.read"
    assert b'"reason":"messaging.enabled"' in bytes(denied["record"])
    assert b'"policy_version":4' in bytes(denied["record"])

    dump = await audit_db.fetch("SELECT row_to_json(r)::text AS row FROM audit_records r")
    assert not any("afraid" in d["row"] for d in dump)
    assert not any(b"afraid" in bytes(r["record"]) or b"$sealed" in bytes(r["record"])
                   for r in rows)


async def test_a_redelivered_event_is_not_recorded_twice(
        nc: NATS, namespace: str, audit_db: asyncpg.Pool, intake: list[ProjectionRunner],
        tenant_id: str) -> None:
    await post_check_ins(nc, namespace, tenant_id, "coachee2", 4)

    async def all_in() -> bool:
        return len(await records(audit_db, tenant_id)) == 4

    await eventually(all_in, timeout=5)
    runner = intake[0]
    await runner.stop()
    async with audit_db.acquire() as conn:  # as if the checkpoint had been lost
        await checkpoints.write(conn, runner.name, runner.source.name, 0)
    await runner.start()
    await eventually(lambda: runner.position >= 4, timeout=5)
    assert [r["seq"] for r in await records(audit_db, tenant_id)] == [1, 2, 3, 4]


async def test_the_trail_refuses_updates_and_deletes(
        nc: NATS, namespace: str, audit_db: asyncpg.Pool, intake: list[ProjectionRunner],
        tenant_id: str) -> None:
    await post_check_ins(nc, namespace, tenant_id, "coachee3", 1)

    async def in_() -> bool:
        return len(await records(audit_db, tenant_id)) == 1

    await eventually(in_, timeout=5)
    for statement in ("UPDATE audit_records SET outcome = 'denied' WHERE tenant_id = $1",
                      "DELETE FROM audit_records WHERE tenant_id = $1"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await audit_db.execute(statement, tenant_id)


async def test_events_after_a_head_moved_back_wait_and_are_recorded_once_it_is_put_back(
        nc: NATS, namespace: str, audit_db: asyncpg.Pool, intake: list[ProjectionRunner],
        tenant_id: str) -> None:
    await post_check_ins(nc, namespace, tenant_id, "coachee4", 4)

    async def count(n: int) -> bool:
        return len(await records(audit_db, tenant_id)) == n

    await eventually(lambda: count(4), timeout=5)
    head = await audit_db.fetchrow("SELECT seq, chain_hash FROM audit_heads"
                                   " WHERE tenant_id = $1", tenant_id)
    await audit_db.execute("UPDATE audit_heads SET seq = 2 WHERE tenant_id = $1", tenant_id)
    await post_check_ins(nc, namespace, tenant_id, "coachee4", 2, first=4)
    await eventually(lambda: intake[0].failing is not None, timeout=5)
    assert "head was moved back by hand" in str(intake[0].failing)
    assert await count(4)  # waiting, not set aside as dead letters

    await audit_db.execute("UPDATE audit_heads SET seq = $2, chain_hash = $3"
                           " WHERE tenant_id = $1", tenant_id, head["seq"], head["chain_hash"])
    await eventually(lambda: count(6), timeout=10)
    rows = await records(audit_db, tenant_id)
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5, 6]
    previous = GENESIS
    for row in rows:  # the records that waited link on from the head put back
        previous = chain_hash(previous, bytes(row["record"]))
        assert bytes(row["chain_hash"]) == previous
