"""community's ``people`` table is the shared directory's: its migrations no longer make it,
its start does (``ensure_sources``, after the migrations)."""

from interlude.community.wiring import MIGRATIONS
from interlude.shared.db import migrate


async def test_the_migrations_of_a_fresh_schema_leave_the_people_table_to_the_directory(
        pg_pool):
    async with pg_pool.acquire() as conn:
        await migrate(conn, MIGRATIONS)
    assert await pg_pool.fetchval("SELECT to_regclass('people')") is None


async def test_a_started_community_has_the_directorys_people_table(alone):
    display_name = await alone.platform.pool.fetchval(
        "SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = 'people' AND column_name = 'display_name'")
    assert display_name == "jsonb"
