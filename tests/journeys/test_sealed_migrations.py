"""A data folder from before names were sealed: the migration empties the read model that held
them in clear and sends its projection back to the start of identity's stream, which rebuilds
it sealed."""

from __future__ import annotations

import shutil
from pathlib import Path

import asyncpg
import pytest

from interlude.community.wiring import MIGRATIONS as COMMUNITY
from interlude.engagement.wiring import MIGRATIONS as ENGAGEMENT
from interlude.identity.wiring import MIGRATIONS as IDENTITY
from interlude.shared import directory
from interlude.shared.db import migrate
from interlude.shared.projections import checkpoints

DIRECTORY_ROW = ("INSERT INTO directory_users (tenant_id, user_id, email, display_name, status,"
                 " created_at, updated_at, version) VALUES ('t1', 'u1', 'ada@example.org',"
                 " 'Ada Lovelace', 'active', now(), now(), 1)")
EXTERNAL_ID_ROW = ("INSERT INTO directory_users (tenant_id, user_id, email, display_name, status,"
                   " external_id, created_at, updated_at, version) VALUES ('t1', 'u1', NULL, NULL,"
                   " 'active', 'ada@example.org', now(), now(), 1)")
# engagement's and community's 0001 made this before the table came from interlude.shared.directory
PLAIN_PEOPLE = ("CREATE TABLE people (tenant_id text NOT NULL, user_id text NOT NULL,"
                " display_name text, roles text[] NOT NULL DEFAULT '{}', status text NOT NULL,"
                " PRIMARY KEY (tenant_id, user_id))")
PEOPLE_ROW = ("INSERT INTO people (tenant_id, user_id, display_name, status)"
              " VALUES ('t1', 'u1', 'Ada Lovelace', 'active')")


def _before(folder: Path, last: str, into: Path) -> Path:
    """The service's migrations up to (not including) ``last``, under the same folder names
    (``schema_migrations`` records ``<service>/<file>``)."""
    copy = into / folder.parent.name / folder.name
    copy.mkdir(parents=True)
    for path in sorted(folder.glob("*.sql")):
        if path.name >= last:
            break
        shutil.copy(path, copy / path.name)
    return copy


@pytest.mark.parametrize(("folder", "last", "projection", "table", "row", "column"), [
    (IDENTITY, "0002_sealed_directory.sql", "identity-directory", "directory_users",
     DIRECTORY_ROW, "display_name"),
    (IDENTITY, "0003_sealed_external_id.sql", "identity-directory", "directory_users",
     EXTERNAL_ID_ROW, "external_id"),
    (ENGAGEMENT, "0003_sealed_people.sql", "engagement-people", "people", PEOPLE_ROW,
     "display_name"),
    (COMMUNITY, "0002_sealed_people.sql", "community-people", "people", PEOPLE_ROW,
     "display_name"),
])
async def test_a_read_model_that_held_names_in_clear_is_rebuilt_sealed(
        pg_pool: asyncpg.Pool, tmp_path: Path, folder: Path, last: str, projection: str,
        table: str, row: str, column: str) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn, _before(folder, last, tmp_path))
        await checkpoints.ensure_table(conn)
        await checkpoints.ensure_row(conn, projection, "IDENTITY")
        await checkpoints.write(conn, projection, "IDENTITY", 42)
        if table == "people":
            await conn.execute(PLAIN_PEOPLE)
        await conn.execute(row)

        # the first migration applied is ``last`` (later ones may follow it)
        assert (await migrate(conn, folder))[0] == f"{folder.parent.name}/{last}"
        if table == "people":  # as the service's start does after its migrations
            await directory.ensure_table(conn)
        assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0
        assert await checkpoints.read(conn, projection, "IDENTITY") == 0
        assert await conn.fetchval(
            "SELECT data_type FROM information_schema.columns WHERE table_schema ="
            " current_schema() AND table_name = $1 AND column_name = $2",
            table, column) == "jsonb"
