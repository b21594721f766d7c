"""What the audit tests share: the audit tables in the test's schema, intake runners on the
test's streams, and check-ins posted as engagement would."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest
from nats.aio.client import Client as NATS

from interlude.audit.adapters.witness import PublishedCheckpoints, publisher
from interlude.audit.app.checkpoints import Publish
from interlude.audit.projections.intake import AuditIntake
from interlude.audit.testing import app_dsn
from interlude.audit.wiring import MIGRATIONS
from interlude.shared.db import create_pool, migrate
from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.eventstore.jetstream import JetStreamEventStore
from interlude.shared.eventstore.streams import StreamSpec, ensure_stream
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.sealing import InMemoryKeyStore, KeyRing, Sealer, Secret

PLAINTEXT = "I am afraid my manager will notice"
registry = EventRegistry()


@registry.event("engagement.CheckInPosted")
class CheckInPosted(Event):
    coachee_id: str
    text: Secret
    mood: int


@pytest.fixture
async def audit_db(pg_pool: asyncpg.Pool) -> asyncpg.Pool:
    """The audit tables migrated, and a superuser's pool on them: sees every row."""
    async with pg_pool.acquire() as conn:
        await migrate(conn, MIGRATIONS)
    return pg_pool


@pytest.fixture
async def app_pool(audit_db: asyncpg.Pool, postgres_dsn: str,
                   pg_schema: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool logged in as audit_app, the role the service runs as."""
    pool = await create_pool(await app_dsn(postgres_dsn), schema=pg_schema, max_size=5)
    yield pool
    await pool.close()


@pytest.fixture
async def intake(nc: NATS, app_pool: asyncpg.Pool,
                 namespace: str) -> AsyncIterator[list[ProjectionRunner]]:
    """Intake runners for engagement's stream and ACCESS, running as audit_app."""
    runners = []
    for source in ("engagement", "access"):
        stream = StreamSpec.for_service(source, namespace)
        await ensure_stream(nc.jetstream(), stream)
        runner = ProjectionRunner(AuditIntake(source), stream, nc, app_pool,
                                  deadletters=StreamSpec.for_service("deadletter", namespace))
        await ensure_stream(nc.jetstream(), StreamSpec.for_service("deadletter", namespace))
        await runner.start()
        runners.append(runner)
    yield runners
    for runner in runners:
        await runner.stop()


@pytest.fixture
async def audit_stream(nc: NATS, namespace: str) -> StreamSpec:
    """The AUDIT stream, where checkpoints are published."""
    stream = StreamSpec.for_service("audit", namespace)
    await ensure_stream(nc.jetstream(), stream)
    return stream


@pytest.fixture
def publish(nc: NATS, audit_stream: StreamSpec) -> Publish:
    """Publishes a checkpoint to the AUDIT stream, as the worker does."""
    return publisher(nc.jetstream(), audit_stream)


@pytest.fixture
def published(nc: NATS, audit_stream: StreamSpec) -> PublishedCheckpoints:
    """Reads an organisation's published checkpoints back, as the verifiers do."""
    return PublishedCheckpoints(nc, audit_stream)


async def post_check_ins(nc: NATS, namespace: str, tenant: str, coachee: str, n: int, *,
                         at: datetime | None = None, first: int = 0) -> None:
    """``n`` check-ins (ids ``c<first>``...) posted at ``at`` (now by default)."""
    store = await JetStreamEventStore.open(nc, StreamSpec.for_service("engagement", namespace))
    codec = EventCodec(registry, Sealer(KeyRing(InMemoryKeyStore(), secrets.token_bytes(32))))
    ctx = CommandContext(tenant, Actor(coachee, ("coachee",)), now=at or datetime.now(UTC),
                         correlation_id="req-1", source_address="10.0.0.7")
    for i in range(first, first + n):
        event = CheckInPosted(coachee_id=coachee, text=Secret(f"{PLAINTEXT} {i}", coachee),
                              mood=3)
        check_in = f"c{i}"
        subject = StreamSpec.for_service("engagement", namespace).subject(tenant, "checkin",
                                                                          check_in)
        await store.append(subject, [await codec.encode(event, ctx, check_in)],
                           expected_last_seq=0)


async def records(pool: asyncpg.Pool, tenant: str) -> list[asyncpg.Record]:
    return await pool.fetch("SELECT * FROM audit_records WHERE tenant_id = $1 ORDER BY seq",
                            tenant)


