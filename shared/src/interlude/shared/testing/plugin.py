"""pytest fixtures: real servers once per run, and a fresh namespace for every test.

Servers are session-scoped (started once, stopped at the end, by PID). Isolation between tests
comes from names, not from new servers: every test gets its own tenant id, its own stream names
(``namespace``) and its own PostgreSQL schema (``pg_schema``), so tests never see each other's data.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import nats
import pytest
from nats.aio.client import Client as NATS

from interlude.shared.db import create_pool, quote_ident
from interlude.shared.testing.servers import TestServers, test_servers


@pytest.fixture(scope="session")
def servers() -> Iterator[TestServers]:
    with test_servers() as running:
        yield running


@pytest.fixture(scope="session")
def nats_url(servers: TestServers) -> str:
    return servers.nats_url


@pytest.fixture(scope="session")
def postgres_dsn(servers: TestServers) -> str:
    return servers.postgres_dsn


@pytest.fixture
async def nc(nats_url: str) -> AsyncIterator[NATS]:
    """A NATS connection of this test's own."""
    conn = await nats.connect(nats_url, max_reconnect_attempts=5)
    yield conn
    await conn.drain()


@pytest.fixture
def tenant_id() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def namespace() -> str:
    """A short unique tag for this test's stream names and subjects (upper-case safe)."""
    return "t" + uuid.uuid4().hex[:10]


@contextlib.asynccontextmanager
async def own_schema(postgres_dsn: str, name: str) -> AsyncIterator[str]:
    """A fresh PostgreSQL schema ``name``, dropped on exit (a service's tables in a test)."""
    conn = await asyncpg.connect(postgres_dsn)
    try:
        await conn.execute(f"CREATE SCHEMA {quote_ident(name)}")
        yield name
        await conn.execute(f"DROP SCHEMA {quote_ident(name)} CASCADE")
    finally:
        await conn.close()


@pytest.fixture
async def pg_schema(postgres_dsn: str, namespace: str) -> AsyncIterator[str]:
    """A fresh schema for this test, dropped afterwards."""
    async with own_schema(postgres_dsn, namespace) as schema:
        yield schema


@pytest.fixture
async def pg_pool(postgres_dsn: str, pg_schema: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(postgres_dsn, schema=pg_schema, max_size=5)
    yield pool
    await pool.close()
