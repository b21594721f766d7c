"""audit's worker, a process of its own, killed with SIGKILL (by its PID) again and again while
a burst of events arrives: once it is back, every event is in the organisation's trail exactly
once, numbered without gaps, and the trail verifies against the checkpoints it signed and
published (those the killed workers signed included)."""

from __future__ import annotations

import asyncio
import base64
import secrets
import sys
from pathlib import Path

import asyncpg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from nats.aio.client import Client as NATS

from interlude.audit.adapters.witness import PublishedCheckpoints
from interlude.audit.app.verification import verify_tenant
from interlude.audit.domain.checkpoint import key_id
from interlude.audit.testing import app_dsn
from interlude.shared.eventstore.streams import StreamSpec, ensure_stream
from interlude.shared.stack.process import spawn
from interlude.shared.testing.eventually import eventually

from .trail import post_check_ins

pytestmark = pytest.mark.slow

KEY = Ed25519PrivateKey.generate()
AT_LEAST = 600


async def burst(nc: NATS, namespace: str, tenant: str, killed: asyncio.Event) -> int:
    """Check-ins arriving steadily, a few at a time, until the worker has been killed for the
    last time (and at least :data:`AT_LEAST` of them): how many."""
    posted = 0
    while not killed.is_set() or posted < AT_LEAST:
        await post_check_ins(nc, namespace, tenant, "coachee-1", 6, first=posted)
        posted += 6
        await asyncio.sleep(0.02)
    return posted


async def count(pool: asyncpg.Pool, tenant: str) -> int:
    return await pool.fetchval("SELECT count(*) FROM audit_records WHERE tenant_id = $1",
                               tenant)


async def test_a_worker_killed_mid_burst_loses_and_repeats_nothing_and_the_trail_verifies(
        nc: NATS, nats_url: str, postgres_dsn: str, pg_schema: str, namespace: str,
        audit_db: asyncpg.Pool, published: PublishedCheckpoints, tenant_id: str,
        tmp_path: Path) -> None:
    seed = KEY.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    env = {"INTERLUDE_NATS_URL": nats_url, "INTERLUDE_DATABASE_URL": await app_dsn(postgres_dsn),
           "INTERLUDE_DATABASE_SCHEMA": pg_schema, "INTERLUDE_STREAM_NAMESPACE": namespace,
           "INTERLUDE_MASTER_SECRET": base64.b64encode(secrets.token_bytes(32)).decode(),
           "INTERLUDE_SIGNING_KEY": base64.b64encode(seed).decode(),
           "INTERLUDE_IDENTITY_URL": "http://identity.test", "INTERLUDE_LOG_JSON": "false",
           # checkpoints signed (and published) often, so that kills land between them too
           "INTERLUDE_CHECKPOINT_EVERY": "40", "INTERLUDE_CHECKPOINT_INTERVAL_S": "0.5"}
    await ensure_stream(nc.jetstream(), StreamSpec.for_service("engagement", namespace))
    killed = asyncio.Event()
    arriving = asyncio.create_task(burst(nc, namespace, tenant_id, killed))
    argv = [sys.executable, "-m", "interlude.audit.worker"]
    kills = 0
    for round_ in range(4):
        worker = spawn("audit-worker", argv, tmp_path / f"worker-{round_}.log", env=env)
        try:
            if round_ < 3:
                start = await count(audit_db, tenant_id)

                async def moved(start: int = start) -> bool:
                    return await count(audit_db, tenant_id) >= start + 40

                await eventually(moved, timeout=60)
                worker.kill()  # SIGKILL, by the PID of the process we started
                kills += 1
            else:
                killed.set()
                posted = await arriving

                async def done(posted: int = posted) -> bool:
                    return await count(audit_db, tenant_id) >= posted

                await eventually(done, timeout=60)
        finally:
            worker.stop()
    assert kills == 3
    rows = await audit_db.fetch("SELECT seq, event_id FROM audit_records WHERE tenant_id = $1"
                                " ORDER BY seq", tenant_id)
    assert [r["seq"] for r in rows] == list(range(1, posted + 1))
    assert len({r["event_id"] for r in rows}) == posted
    verification = await verify_tenant(audit_db, tenant_id,
                                       {key_id(KEY.public_key()): KEY.public_key()}, published)
    assert verification.ok, verification.failures
    assert verification.checkpoints_checked >= 1
