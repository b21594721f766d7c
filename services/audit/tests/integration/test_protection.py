"""The role the service runs as (audit_app) may read and append, never change or remove, creates
nothing, and sees and writes only the organisation its transaction names (row-level
security)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nats.aio.client import Client as NATS

from interlude.audit.adapters.witness import PublishedCheckpoints
from interlude.audit.app import query
from interlude.audit.app.checkpoints import Checkpointer, Publish
from interlude.audit.app.verification import verify_tenant
from interlude.audit.domain.checkpoint import key_id
from interlude.audit.projections.tenancy import act_for
from interlude.shared import directory
from interlude.shared.projections import checkpoints
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.testing.eventually import eventually
from interlude.shared.trust import projection as trust_projection

from .trail import post_check_ins, records

KEY = Ed25519PrivateKey.generate()
KEYS = {key_id(KEY.public_key()): KEY.public_key()}

CHANGES = [
    "UPDATE audit_records SET outcome = 'denied'",
    "DELETE FROM audit_records",
    "UPDATE audit_checkpoints SET size = 0",
    "DELETE FROM audit_checkpoints",
    "TRUNCATE audit_records",
    "UPDATE audit_heads SET lower_bound = 3",
    "DELETE FROM audit_heads",
]


@pytest.fixture
async def two_trails(nc: NATS, namespace: str, audit_db: asyncpg.Pool, app_pool: asyncpg.Pool,
                     intake: list[ProjectionRunner], publish: Publish) -> tuple[str, str]:
    """Organisations A (3 records) and B (2 records), each with a signed checkpoint."""
    a, b = uuid.uuid4().hex, uuid.uuid4().hex
    await post_check_ins(nc, namespace, a, "coachee-a", 3)
    await post_check_ins(nc, namespace, b, "coachee-b", 2)

    async def both() -> bool:
        return len(await records(audit_db, a)) == 3 and len(await records(audit_db, b)) == 2

    await eventually(both, timeout=5)
    signer = Checkpointer(app_pool, KEY, publish=publish)
    assert sorted(await signer.due(datetime.now(UTC))) == sorted([a, b])
    for tenant in (a, b):
        await signer.sign_now(tenant)
    return a, b


@pytest.mark.parametrize("statement", CHANGES)
async def test_the_service_role_is_refused_changes_by_its_privileges(
        statement: str, two_trails: tuple[str, str], app_pool: asyncpg.Pool,
        audit_db: asyncpg.Pool) -> None:
    a, _ = two_trails
    async with app_pool.acquire() as conn, conn.transaction():
        await act_for(conn, a)
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await conn.execute(statement)
    assert [r["seq"] for r in await records(audit_db, a)] == [1, 2, 3]


async def test_an_organisation_sees_only_its_own_rows(two_trails: tuple[str, str],
                                                      app_pool: asyncpg.Pool) -> None:
    a, b = two_trails
    tables = ("audit_records", "audit_checkpoints", "audit_heads")
    async with app_pool.acquire() as conn:
        async with conn.transaction():
            for table in tables:  # no organisation named: nothing at all
                assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0
        async with conn.transaction():
            await act_for(conn, a)
            for table in tables:  # not even without a filter
                tenants = await conn.fetch(f"SELECT DISTINCT tenant_id FROM {table}")
                assert [t["tenant_id"] for t in tenants] == [a]
            assert await conn.fetchval("SELECT count(*) FROM audit_records"
                                       " WHERE tenant_id = $1", b) == 0
    found = await query.search(app_pool, b, query.Filters(), order="oldest", cursor=None,
                               limit=10)
    assert [r["tenant_id"] for r in found["records"]] == [b, b]


async def test_no_row_of_another_organisation_can_be_written(
        two_trails: tuple[str, str], app_pool: asyncpg.Pool, audit_db: asyncpg.Pool) -> None:
    a, b = two_trails
    forged = ("INSERT INTO audit_records (tenant_id, seq, record, chain_hash, occurred_at,"
              " actor_id, action, target_type, target_id, data_subjects, outcome, event_id)"
              " VALUES ($1, 3, '\\x7b7d', '\\x00', now(), 'x', 'x', 'x', 'x', '{}', 'succeeded',"
              " 'forged')")
    async with app_pool.acquire() as conn:
        for statement, args in (
                (forged, (b,)),
                ("INSERT INTO audit_checkpoints (tenant_id, size, body, signature, key_id,"
                 " issued_at) VALUES ($1, 9, '\\x7b7d', '\\x00', 'k', now())", (b,)),
                ("INSERT INTO audit_heads (tenant_id, seq, chain_hash, anchor)"
                 " VALUES ($1, 0, '\\x00', '\\x00')", (uuid.uuid4().hex,))):
            async with conn.transaction():
                await act_for(conn, a)
                with pytest.raises(asyncpg.InsufficientPrivilegeError,
                                   match="row-level security"):
                    await conn.execute(statement, *args)
    assert [r["seq"] for r in await records(audit_db, b)] == [1, 2]


async def test_each_organisations_trail_verifies_as_the_service_role(
        two_trails: tuple[str, str], app_pool: asyncpg.Pool,
        published: PublishedCheckpoints) -> None:
    a, b = two_trails
    for tenant, size in ((a, 3), (b, 2)):
        result = await verify_tenant(app_pool, tenant, KEYS, published)
        assert (result.ok, result.records_checked, result.checkpoints_checked) == (True, size, 1)


@pytest.mark.parametrize("statement", [
    "CREATE TABLE planted (x int)",
    "CREATE TABLE audit_records_copy AS SELECT * FROM audit_records",
    "CREATE VIEW audit_records_view AS SELECT 1",
    "CREATE FUNCTION act_for(text) RETURNS void LANGUAGE sql AS ''",
    "CREATE INDEX planted ON projection_checkpoints (updated_at)",
])
async def test_the_service_role_creates_nothing_in_the_schema(statement: str,
                                                              app_pool: asyncpg.Pool) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await app_pool.execute(statement)


async def test_the_tables_the_owner_makes_for_the_runtime_are_the_shared_ones(
        audit_db: asyncpg.Pool, pg_schema: str) -> None:
    """Migrations 0003 and 0004 write out the tables the shared code would make (bookkeeping,
    the people directory); drifting apart, the running code would meet tables not as it
    expects."""
    fresh = f"{pg_schema}_shared"
    columns = ("SELECT table_name, column_name, data_type, is_nullable, column_default"
               " FROM information_schema.columns WHERE table_schema = $1 AND table_name IN"
               " ('projection_checkpoints', 'trust_policies', 'trust_users', 'people')"
               " ORDER BY table_name, column_name")
    indexes = ("SELECT indexname, replace(indexdef, $1 || '.', '') AS def FROM pg_indexes"
               " WHERE schemaname = $1 AND tablename IN"
               " ('projection_checkpoints', 'trust_policies', 'trust_users', 'people')"
               " ORDER BY indexname")
    async with audit_db.acquire() as conn:
        await conn.execute(f'CREATE SCHEMA "{fresh}"')
        try:
            async with conn.transaction():
                await conn.execute(f'SET LOCAL search_path TO "{fresh}"')
                await conn.execute(checkpoints.SCHEMA)
                await conn.execute(trust_projection.SCHEMA)
                await conn.execute(directory.SCHEMA)
            made = [tuple(r) for r in await conn.fetch(columns, pg_schema)]
            shared = [tuple(r) for r in await conn.fetch(columns, fresh)]
            assert len(made) == 21 and made == shared
            assert [tuple(r) for r in await conn.fetch(indexes, pg_schema)] == [
                tuple(r) for r in await conn.fetch(indexes, fresh)]
        finally:
            await conn.execute(f'DROP SCHEMA "{fresh}" CASCADE')
