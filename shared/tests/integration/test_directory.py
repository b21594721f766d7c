"""The ``people`` table of a service's directory comes from interlude.shared.directory, not
from each service's migrations: a new schema gets it at start, an old one keeps the one its
migrations made, and a runtime role without CREATE starts once the table is there."""

import asyncpg
import pytest

from interlude.shared import directory
from interlude.shared.db import quote_ident

# what engagement's 0003 and community's 0002 made in the databases that ran them
MIGRATED_TABLE = """
CREATE TABLE people (
    tenant_id text NOT NULL, user_id text NOT NULL, display_name jsonb,
    roles text[] NOT NULL DEFAULT '{}', status text NOT NULL,
    PRIMARY KEY (tenant_id, user_id))
"""


async def _columns(pool) -> list[tuple[str, str]]:
    rows = await pool.fetch(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = 'people'"
        " ORDER BY ordinal_position")
    return [(r["column_name"], r["data_type"]) for r in rows]


async def test_a_new_schema_gets_the_people_table_from_the_shared_directory(pg_pool):
    assert await pg_pool.fetchval("SELECT to_regclass('people')") is None
    async with pg_pool.acquire() as conn:
        await directory.ensure_table(conn)
        await directory.ensure_table(conn)  # every start calls it again
    assert await _columns(pg_pool) == [("tenant_id", "text"), ("user_id", "text"),
                                       ("display_name", "jsonb"), ("roles", "ARRAY"),
                                       ("status", "text")]
    await pg_pool.execute("INSERT INTO people (tenant_id, user_id, status)"
                          " VALUES ('t1', 'u1', 'active')")
    assert await directory.person(pg_pool, "t1", "u1") == ("active", [])


async def test_a_table_the_migrations_made_is_kept_with_its_rows(pg_pool):
    await pg_pool.execute(MIGRATED_TABLE)
    await pg_pool.execute("INSERT INTO people (tenant_id, user_id, roles, status)"
                          " VALUES ('t1', 'u1', '{coach}', 'active')")
    before = await _columns(pg_pool)
    async with pg_pool.acquire() as conn:
        await directory.ensure_table(conn)
    assert await _columns(pg_pool) == before
    assert await directory.person(pg_pool, "t1", "u1") == ("active", ["coach"])


async def test_a_runtime_role_without_create_starts_once_the_table_is_there(pg_pool, pg_schema):
    role = f"{pg_schema}_app"
    await pg_pool.execute(f"CREATE ROLE {quote_ident(role)} NOLOGIN")
    try:
        await pg_pool.execute(f"GRANT USAGE ON SCHEMA {quote_ident(pg_schema)}"
                              f" TO {quote_ident(role)}")
        async with pg_pool.acquire() as conn:
            await conn.execute(f"SET ROLE {quote_ident(role)}")
            try:
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await directory.ensure_table(conn)  # missing: only the owner can make it
            finally:
                await conn.execute("RESET ROLE")
            await directory.ensure_table(conn)  # as the owner
            await conn.execute(f"SET ROLE {quote_ident(role)}")
            try:
                await directory.ensure_table(conn)  # there: nothing to create, nothing refused
            finally:
                await conn.execute("RESET ROLE")
    finally:
        await pg_pool.execute(f"DROP OWNED BY {quote_ident(role)}")
        await pg_pool.execute(f"DROP ROLE {quote_ident(role)}")
