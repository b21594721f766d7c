"""``make run``'s provisioning for audit: the owner ``audit`` owns the database and migrates, the
API and worker get ``audit_app``'s DSN, and audit_app can start the service's processes (the
shared start-up code finds the tables it ensures made) but may neither change the trail nor
create anything; also on a data folder provisioned before the split, and on one where
audit_app still made its own tables."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from interlude.audit.service import SPEC
from interlude.audit.wiring import MIGRATIONS
from interlude.shared.db import migrate
from interlude.shared.projections import checkpoints
from interlude.shared.stack.postgres import PostgresServer
from interlude.shared.stack.provision import database_name, provision_database
from interlude.shared.trust.projection import ensure_tables


@pytest.fixture
async def server(postgres_dsn: str, tmp_path: Path) -> AsyncIterator[PostgresServer]:
    """The test run's PostgreSQL as the stack sees its own (a superuser ``postgres``)."""
    parts = urlsplit(postgres_dsn)
    if parts.hostname != "127.0.0.1" or parts.username != "postgres":
        pytest.skip("provisioning is tested on the embedded PostgreSQL")
    pg = PostgresServer(tmp_path / "unused", int(parts.port or 5432), None)
    yield pg
    admin = await asyncpg.connect(pg.admin_dsn)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {database_name('audit')} WITH (FORCE)")
    finally:
        await admin.close()


async def _starts_and_is_refused_changes(dsn: str) -> None:
    """What the API and the worker do at start as audit_app, then a change it must not make."""
    conn = await asyncpg.connect(dsn)
    try:
        assert await migrate(conn, MIGRATIONS) == []  # all applied: only checked
        await checkpoints.ensure_table(conn)
        await ensure_tables(conn)
        await ensure_tables(conn)  # again, as every start does
        async with conn.transaction():
            await conn.execute("SELECT set_config('interlude.tenant', 't1', true)")
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                await conn.execute("DELETE FROM audit_records")
        for statement in ("CREATE TABLE planted (x int)", "CREATE VIEW planted AS SELECT 1"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                await conn.execute(statement)
        assert await conn.fetchval("SELECT current_user") == "audit_app"
    finally:
        await conn.close()


async def test_audit_runs_as_its_own_role_and_the_owner_migrates(server: PostgresServer,
                                                                  tmp_path: Path) -> None:
    db = await provision_database(server, SPEC, tmp_path / "secrets")
    assert (db.role, db.app_role, db.runtime_dsn) == ("audit", "audit_app", db.app_dsn)
    assert urlsplit(db.runtime_dsn).username == "audit_app"
    assert (tmp_path / "secrets" / "audit_app.pgpass").stat().st_mode & 0o077 == 0
    assert db.migrations_applied == ("audit/0001_audit.sql", "audit/0002_protection.sql",
                                     "audit/0003_runtime_without_create.sql",
                                     "audit/0004_people.sql", "audit/0005_subject_exports.sql",
                                     "audit/0006_outcome_counts.sql",
                                     "audit/0007_purge_reads_checkpoints_safely.sql")
    owner = await asyncpg.connect(db.dsn)
    try:
        assert await owner.fetchval("SELECT tableowner FROM pg_tables"
                                    " WHERE tablename = 'audit_records'") == "audit"
    finally:
        await owner.close()
    await _starts_and_is_refused_changes(db.runtime_dsn)
    again = await provision_database(server, SPEC, tmp_path / "secrets")  # the next make run
    assert again.migrations_applied == () and again.app_dsn == db.app_dsn
    await _starts_and_is_refused_changes(again.runtime_dsn)


async def test_a_data_folder_from_before_the_split_is_taken_over(server: PostgresServer,
                                                                 tmp_path: Path) -> None:
    first = tmp_path / "old" / "audit" / "migrations"  # the migrations of the release before
    first.mkdir(parents=True)
    shutil.copy(MIGRATIONS / "0001_audit.sql", first)
    old = replace(SPEC, migrations=first, runtime_role=False)
    db = await provision_database(server, old, tmp_path / "secrets")
    conn = await asyncpg.connect(db.dsn)  # the service ran as the owner then
    try:
        await checkpoints.ensure_table(conn)
        await ensure_tables(conn)
    finally:
        await conn.close()
    split = await provision_database(server, SPEC, tmp_path / "secrets")
    assert split.migrations_applied == ("audit/0002_protection.sql",
                                        "audit/0003_runtime_without_create.sql",
                                        "audit/0004_people.sql", "audit/0005_subject_exports.sql",
                                     "audit/0006_outcome_counts.sql",
                                     "audit/0007_purge_reads_checkpoints_safely.sql")
    await _starts_and_is_refused_changes(split.runtime_dsn)


async def test_a_data_folder_where_audit_app_made_its_own_tables_is_taken_over(
        server: PostgresServer, tmp_path: Path) -> None:
    before = tmp_path / "old" / "audit" / "migrations"  # the release that granted CREATE
    before.mkdir(parents=True)
    for name in ("0001_audit.sql", "0002_protection.sql"):
        shutil.copy(MIGRATIONS / name, before)
    db = await provision_database(server, replace(SPEC, migrations=before),
                                  tmp_path / "secrets")
    conn = await asyncpg.connect(db.runtime_dsn)  # its first start made them, as audit_app
    try:
        await checkpoints.ensure_table(conn)
        await ensure_tables(conn)
        await conn.execute("INSERT INTO projection_checkpoints (projection, stream, position)"
                           " VALUES ('audit-identity', 'IDENTITY', 7)")
    finally:
        await conn.close()
    now = await provision_database(server, SPEC, tmp_path / "secrets")
    assert now.migrations_applied == ("audit/0003_runtime_without_create.sql",
                                      "audit/0004_people.sql", "audit/0005_subject_exports.sql",
                                     "audit/0006_outcome_counts.sql",
                                     "audit/0007_purge_reads_checkpoints_safely.sql")
    owner = await asyncpg.connect(now.dsn)
    try:
        owners = await owner.fetch("SELECT DISTINCT tableowner FROM pg_tables WHERE tablename"
                                   " IN ('projection_checkpoints', 'trust_policies',"
                                   " 'trust_users')")
        assert [r["tableowner"] for r in owners] == ["audit"]
        assert await owner.fetchval("SELECT position FROM projection_checkpoints") == 7
    finally:
        await owner.close()
    await _starts_and_is_refused_changes(now.runtime_dsn)
