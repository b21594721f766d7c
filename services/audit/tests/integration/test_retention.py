"""The retention purge: only records older than the retention go, only from the oldest end,
after the purge has recorded itself and signed a checkpoint stating the new lower bound; the
trail still verifies (in the database and as an export, offline), tampering is still named,
and nothing can be deleted from the middle."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from nats.aio.client import Client as NATS
from nats.js.errors import NotFoundError

from interlude.audit.adapters.signing import public_jwk
from interlude.audit.adapters.witness import PublishedCheckpoints, retention_reporter
from interlude.audit.app import export, retention
from interlude.audit.app.checkpoints import Checkpointer, Publish
from interlude.audit.app.verification import verify_on, verify_tenant
from interlude.audit.cli import _export, _purge
from interlude.audit.domain.checkpoint import key_id
from interlude.audit.domain.offline import public_key, verify_export
from interlude.audit.domain.witness import as_lines
from interlude.audit.projections import chain, queries
from interlude.audit.projections.tenancy import act_for
from interlude.audit.testing import app_dsn, audit_settings
from interlude.shared.events.envelope import Actor
from interlude.shared.eventstore.base import decode_commit
from interlude.shared.eventstore.streams import StreamSpec, ensure_stream
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.testing.eventually import eventually
from interlude.shared.trust.projection import ensure_tables

from .trail import post_check_ins, records

KEY = Ed25519PrivateKey.generate()
KEYS = {key_id(KEY.public_key()): KEY.public_key()}
OFFICER = Actor("officer-1", ("compliance_officer",))
LONG_AGO = datetime.now(UTC) - timedelta(days=400)


def purge_of(tenant: str, days: int = 365) -> retention.Purge:
    return retention.Purge(tenant_id=tenant, actor=OFFICER, reason="retention policy",
                           retention_days=days, policy_version=3, request_id="req-9")


async def trail_of(nc: NATS, namespace: str, audit_db: asyncpg.Pool, tenant: str,
                   *parts: tuple[int, datetime | None], first: int = 0) -> None:
    """Check-ins ``c<first>``... posted in ``parts`` of (how many, when), recorded in order."""
    for n, at in parts:
        expected = len(await records(audit_db, tenant)) + n
        await post_check_ins(nc, namespace, tenant, "coachee-1", n, at=at, first=first)
        first += n

        async def arrived(expected: int = expected) -> bool:
            return len(await records(audit_db, tenant)) == expected

        await eventually(arrived, timeout=5)


@pytest.fixture
async def signer(app_pool: asyncpg.Pool, publish: Publish) -> Checkpointer:
    return Checkpointer(app_pool, KEY, publish=publish)


@pytest.fixture
async def purged(nc: NATS, namespace: str, audit_db: asyncpg.Pool, app_pool: asyncpg.Pool,
                 intake: list[ProjectionRunner], signer: Checkpointer,
                 tenant_id: str) -> retention.Purged:
    """5 records from 400 days ago and 3 of today, signed, then purged at 365 days."""
    await trail_of(nc, namespace, audit_db, tenant_id, (5, LONG_AGO), (3, None))
    await signer.sign_now(tenant_id)
    return await retention.purge(app_pool, signer, purge_of(tenant_id))


async def test_a_purge_records_itself_and_cuts_the_oldest_records(
        purged: retention.Purged, audit_db: asyncpg.Pool, tenant_id: str) -> None:
    assert (purged.purged, purged.lower_bound, purged.record) == (5, 6, 9)
    assert purged.checkpoint is not None
    assert (purged.checkpoint.lower_bound, purged.checkpoint.size) == (6, 9)
    rows = await records(audit_db, tenant_id)
    assert [r["seq"] for r in rows] == [6, 7, 8, 9]
    assert purged.checkpoint.anchor != rows[0]["chain_hash"].hex()  # the last one purged
    mark = orjson.loads(rows[-1]["record"])
    assert mark["action"] == "audit.RetentionPurged" and mark["actor"]["id"] == "officer-1"
    assert mark["reason"] == "retention policy" and mark["policy_version"] == 3
    assert mark["purge"] | {"older_than": None} == {
        "retention_days": 365, "older_than": None, "lower_bound": 6,
        "previous_lower_bound": 1, "records": 5}
    head = await audit_db.fetchrow("SELECT lower_bound, anchor FROM audit_heads"
                                   " WHERE tenant_id = $1", tenant_id)
    assert (head["lower_bound"], bytes(head["anchor"]).hex()) == (6, purged.checkpoint.anchor)


async def test_after_a_purge_the_trail_verifies_from_its_new_lower_bound(
        purged: retention.Purged, nc: NATS, namespace: str, audit_db: asyncpg.Pool,
        app_pool: asyncpg.Pool, signer: Checkpointer, tenant_id: str,
        published: PublishedCheckpoints) -> None:
    result = await verify_tenant(app_pool, tenant_id, KEYS, published)
    assert (result.ok, result.records_checked, result.checkpoints_checked) == (True, 4, 2)
    await trail_of(nc, namespace, audit_db, tenant_id, (2, None), first=8)  # it goes on
    await signer.sign_now(tenant_id)
    result = await verify_tenant(app_pool, tenant_id, KEYS, published)
    assert (result.ok, result.records_checked, result.checkpoints_checked) == (True, 6, 3)
    again = await retention.purge(app_pool, signer, purge_of(tenant_id))
    assert (again.purged, again.lower_bound, again.record) == (0, 6, None)


async def denied_copies(app_pool: asyncpg.Pool, tenant: str, n: int, at: datetime) -> None:
    """``n`` records of access denied at ``at``, appended as the intake appends."""
    async with app_pool.acquire() as conn, conn.transaction():
        await act_for(conn, tenant)
        head = await chain.lock_head(conn, tenant)
        last = orjson.loads(await conn.fetchval(
            "SELECT record FROM audit_records WHERE seq = $1", head.seq))
        await chain.append(conn, tenant, head, [
            {k: v for k, v in last.items() if k != "seq"} | {
                "outcome": "denied", "time": at.isoformat(),
                "source": last["source"] | {"event_id": f"denied-{head.seq}-{i}"}}
            for i in range(n)])


async def test_the_trails_counts_by_outcome_hold_after_appends_and_a_purge(
        nc: NATS, namespace: str, audit_db: asyncpg.Pool, app_pool: asyncpg.Pool,
        intake: list[ProjectionRunner], signer: Checkpointer, tenant_id: str) -> None:
    await trail_of(nc, namespace, audit_db, tenant_id, (3, LONG_AGO))
    await denied_copies(app_pool, tenant_id, 2, LONG_AGO)
    await trail_of(nc, namespace, audit_db, tenant_id, (2, None), first=3)
    await denied_copies(app_pool, tenant_id, 1, datetime.now(UTC))

    async def counts() -> tuple[dict[str, int], dict[str, int]]:
        page = await queries.search(app_pool, tenant_id, queries.Filters(), order="newest",
                                    cursor=None, limit=1)
        counted = await audit_db.fetch("SELECT outcome, count(*) AS n FROM audit_records"
                                       " WHERE tenant_id = $1 GROUP BY outcome", tenant_id)
        return page.by_outcome, {r["outcome"]: r["n"] for r in counted}

    assert await counts() == ({"succeeded": 5, "denied": 3},) * 2
    await signer.sign_now(tenant_id)
    done = await retention.purge(app_pool, signer, purge_of(tenant_id))
    assert done.purged == 5  # three check-ins and two denials from long ago
    assert await counts() == ({"succeeded": 3, "denied": 1},) * 2  # the purge's own record too
    denied_only = await queries.search(app_pool, tenant_id, queries.Filters(outcome="denied"),
                                       order="newest", cursor=None, limit=10)
    assert denied_only.by_outcome == {"denied": 1} and len(denied_only.rows) == 1


async def test_only_the_oldest_end_is_purged(nc: NATS, namespace: str, audit_db: asyncpg.Pool,
                                             app_pool: asyncpg.Pool, signer: Checkpointer,
                                             intake: list[ProjectionRunner],
                                             tenant_id: str,
        published: PublishedCheckpoints) -> None:
    await trail_of(nc, namespace, audit_db, tenant_id, (2, LONG_AGO), (2, None), (2, LONG_AGO))
    done = await retention.purge(app_pool, signer, purge_of(tenant_id))
    assert (done.purged, done.lower_bound) == (2, 3)
    assert [r["seq"] for r in await records(audit_db, tenant_id)] == [3, 4, 5, 6, 7]
    assert (await verify_tenant(app_pool, tenant_id, KEYS, published)).ok


async def test_nothing_within_the_retention_is_purged(
        nc: NATS, namespace: str, audit_db: asyncpg.Pool, app_pool: asyncpg.Pool,
        signer: Checkpointer, intake: list[ProjectionRunner], tenant_id: str) -> None:
    await trail_of(nc, namespace, audit_db, tenant_id, (3, datetime.now(UTC) - timedelta(30)))
    done = await retention.purge(app_pool, signer, purge_of(tenant_id, days=31))
    assert (done.purged, done.lower_bound, done.record) == (0, 1, None)
    assert [r["seq"] for r in await records(audit_db, tenant_id)] == [1, 2, 3]
    nothing = await retention.purge(app_pool, signer, purge_of("no-such-organisation"))
    assert (nothing.purged, nothing.lower_bound) == (0, 1)


@pytest.mark.parametrize(("bound", "why"), [
    (3, "has not recorded itself"), (1, "outside the trail"), (99, "outside the trail")])
async def test_a_purge_without_its_record_and_checkpoint_is_refused(
        bound: int, why: str, nc: NATS, namespace: str, audit_db: asyncpg.Pool,
        app_pool: asyncpg.Pool, intake: list[ProjectionRunner], tenant_id: str) -> None:
    await trail_of(nc, namespace, audit_db, tenant_id, (5, LONG_AGO))
    async with app_pool.acquire() as conn, conn.transaction():
        await act_for(conn, tenant_id)
        with pytest.raises(asyncpg.CheckViolationError, match=why):
            await conn.fetchval("SELECT audit_purge($1)", bound)
    assert len(await records(audit_db, tenant_id)) == 5


async def test_nothing_can_be_deleted_from_the_middle(
        purged: retention.Purged, app_pool: asyncpg.Pool, audit_db: asyncpg.Pool,
        tenant_id: str) -> None:
    async with app_pool.acquire() as conn, conn.transaction():  # the service's role
        await act_for(conn, tenant_id)
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await conn.execute("DELETE FROM audit_records WHERE seq = 7")
    async with audit_db.acquire() as conn, conn.transaction():  # the owner, as a purge
        await act_for(conn, tenant_id)
        await conn.execute("SELECT set_config('interlude.audit_purge', '7', true)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("DELETE FROM audit_records WHERE tenant_id = $1 AND seq >= 7",
                               tenant_id)
    assert [r["seq"] for r in await records(audit_db, tenant_id)] == [6, 7, 8, 9]


@pytest.mark.parametrize(("tamper", "seq", "kinds"), [
    ("UPDATE audit_records SET record = convert_to(replace(convert_from(record, 'UTF8'),"
     " 'succeeded', 'denied'), 'UTF8') WHERE tenant_id = $1 AND seq = 7", 7, {"changed"}),
    ("DELETE FROM audit_records WHERE tenant_id = $1 AND seq = 6", 6, {"gap", "removed"}),
    ("DELETE FROM audit_records WHERE tenant_id = $1 AND seq > 7", 8, {"truncated"}),
])
async def test_after_a_purge_tampering_is_still_named(
        tamper: str, seq: int, kinds: set[str], purged: retention.Purged,
        audit_db: asyncpg.Pool, tenant_id: str,
        published: PublishedCheckpoints) -> None:
    async with audit_db.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await conn.execute("SET LOCAL session_replication_role = replica")  # no triggers
            await conn.execute(tamper, tenant_id)
            result = await verify_on(conn, tenant_id, KEYS, await published(tenant_id))
        finally:
            await transaction.rollback()
    assert result.first_failure is not None, result
    assert result.first_failure.seq == seq and result.first_failure.kind in kinds


async def test_an_export_after_a_purge_verifies_offline(
        purged: retention.Purged, app_pool: asyncpg.Pool, tenant_id: str,
        tmp_path: Path,
        published: PublishedCheckpoints) -> None:
    lines = [line async for line in export.jsonl(app_pool, tenant_id, [public_jwk(KEY)])]
    witnessed = await published(tenant_id)
    verification, named = verify_export(lines, witnessed, [public_key(public_jwk(KEY))])
    assert (verification.ok, named, verification.records_checked) == (True, tenant_id, 4)
    exported, trusted = tmp_path / "trail.jsonl", tmp_path / "key.json"
    checkpoints = tmp_path / "published.jsonl"
    exported.write_bytes(b"".join(lines))
    checkpoints.write_bytes(b"".join(as_lines(witnessed)))
    trusted.write_text(json.dumps(public_jwk(KEY)))
    assert _export(exported, checkpoints, trusted) == 0
    without_first = [line for line in lines if b'"seq":6,' not in line]
    exported.write_bytes(b"".join(without_first))
    assert _export(exported, checkpoints, trusted) == 1


async def test_an_operator_purges_from_the_command_line(
        nc: NATS, nats_url: str, namespace: str, postgres_dsn: str, pg_schema: str,
        audit_db: asyncpg.Pool, app_pool: asyncpg.Pool, intake: list[ProjectionRunner],
        tenant_id: str, capsys: pytest.CaptureFixture[str],
        published: PublishedCheckpoints) -> None:
    await trail_of(nc, namespace, audit_db, tenant_id, (4, LONG_AGO), (2, None))
    seed = KEY.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    settings = audit_settings(nats_url, await app_dsn(postgres_dsn), namespace, "unused",
                              database_schema=pg_schema,
                              signing_key=base64.b64encode(seed).decode())
    assert await _purge(settings, tenant_id, "yearly", "olga") == 1  # no policy known yet
    assert "no security policy is known" in capsys.readouterr().out

    async with app_pool.acquire() as conn:  # audit's copy of identity's policies, as it runs
        await ensure_tables(conn)
    async with audit_db.acquire() as conn:
        await conn.execute("INSERT INTO trust_policies (tenant_id, version, policy, position)"
                           " VALUES ($1, 2, $2, 1)", tenant_id,
                           json.dumps({"data.retention_days": 365}))
    audit_stream = StreamSpec.for_service("audit", namespace)
    await ensure_stream(nc.jetstream(), audit_stream)
    assert await _purge(settings, tenant_id, "yearly", "olga") == 0
    assert "purged 4 records older than 365 days" in capsys.readouterr().out
    rows = await records(audit_db, tenant_id)
    assert [r["seq"] for r in rows] == [5, 6, 7]
    mark = orjson.loads(rows[-1]["record"])
    assert (mark["actor"]["id"], mark["policy_version"]) == ("operator:olga", 2)
    assert (await verify_tenant(app_pool, tenant_id, KEYS, published)).ok
    info = await nc.jetstream().stream_info(audit_stream.name)
    assert info.state.messages == 1  # the purge's checkpoint left the database


async def test_the_retention_job_purges_each_organisation_past_its_retention_and_reports_it(
        nc: NATS, namespace: str, audit_db: asyncpg.Pool, app_pool: asyncpg.Pool,
        intake: list[ProjectionRunner], signer: Checkpointer, tenant_id: str,
        audit_stream: StreamSpec, published: PublishedCheckpoints) -> None:
    """The worker's job, started as the worker starts it: its first round at once purges the
    organisation whose records are past its retention, leaves the one that keeps ten years
    alone, and reports the purge as an event; a later round (or a restarted worker's first)
    finds nothing more to do and reports nothing."""
    keeps_long = uuid.uuid4().hex
    await trail_of(nc, namespace, audit_db, tenant_id, (4, LONG_AGO), (2, None))
    await trail_of(nc, namespace, audit_db, keeps_long, (3, LONG_AGO))
    for tenant in (tenant_id, keeps_long):
        await signer.sign_now(tenant)
    async with app_pool.acquire() as conn:
        await ensure_tables(conn)
    async with audit_db.acquire() as conn:
        for tenant, days in ((tenant_id, 365), (keeps_long, 3650)):
            await conn.execute("INSERT INTO trust_policies (tenant_id, version, policy,"
                               " position) VALUES ($1, 4, $2, 1)", tenant,
                               json.dumps({"data.retention_days": days}))
    report = retention_reporter(nc.jetstream(), audit_stream)

    subject = audit_stream.subject(tenant_id, "retention", tenant_id)
    job = asyncio.create_task(retention.keep_retention(app_pool, signer, report, 3600))
    try:
        async def purged_and_reported() -> bool:
            if [r["seq"] for r in await records(audit_db, tenant_id)] != [5, 6, 7]:
                return False
            try:
                await nc.jetstream().get_last_msg(audit_stream.name, subject)
            except NotFoundError:
                return False
            return True

        await eventually(purged_and_reported, timeout=10, what="the first round's purge")
    finally:
        job.cancel()
        await asyncio.gather(job, return_exceptions=True)
    assert [r["seq"] for r in await records(audit_db, keeps_long)] == [1, 2, 3]
    mark = orjson.loads((await records(audit_db, tenant_id))[-1]["record"])
    assert (mark["actor"]["id"], mark["policy_version"]) == ("audit", 4)
    for tenant in (tenant_id, keeps_long):
        assert (await verify_tenant(app_pool, tenant, KEYS, published)).ok

    reported = await nc.jetstream().get_last_msg(audit_stream.name, subject)
    [event] = decode_commit(reported.data)
    assert event.type == "audit.RetentionApplied"
    assert {k: event.payload[k] for k in ("purged", "lower_bound", "record")} == {
        "purged": 4, "lower_bound": 5, "record": 7}
    before = (await nc.jetstream().stream_info(audit_stream.name)).state.messages

    assert await retention.apply_retention(app_pool, signer, report) == []
    assert (await nc.jetstream().stream_info(audit_stream.name)).state.messages == before


async def test_a_checkpoint_a_superuser_overwrote_does_not_stop_the_purge(
        nc: NATS, namespace: str, audit_db: asyncpg.Pool, app_pool: asyncpg.Pool,
        intake: list[ProjectionRunner], signer: Checkpointer, tenant_id: str,
        published: PublishedCheckpoints) -> None:
    """The purge's own checkpoint states its bound; one overwritten with bytes that are not
    JSON states nothing (and verification names it), where it failed every purge."""
    await trail_of(nc, namespace, audit_db, tenant_id, (5, LONG_AGO), (3, None))
    await signer.sign_now(tenant_id)
    async with audit_db.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")  # no triggers
        await conn.execute("UPDATE audit_checkpoints SET body = '\\xff00'::bytea"
                           " WHERE tenant_id = $1", tenant_id)
    done = await retention.purge(app_pool, signer, purge_of(tenant_id))
    assert (done.purged, done.lower_bound) == (5, 6)
    result = await verify_tenant(app_pool, tenant_id, KEYS, published)
    assert not result.ok
    assert "bad-checkpoint" in {f.kind for f in result.failures}
