"""PostgreSQL access: connection pools and the migrations runner.

Each service keeps its read models in its own database (or, in tests, its own schema). A
migration is a numbered ``.sql`` file in the service's ``migrations/`` folder; applied ones are
recorded in ``schema_migrations`` so running them again is a no-op.
"""

from __future__ import annotations

import re
from pathlib import Path

import asyncpg

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def quote_ident(name: str) -> str:
    """A safe SQL identifier: we only ever build names from our own lower-case tokens."""
    if not _IDENT.match(name):
        raise ValueError(f"not a valid identifier: {name!r}")
    return f'"{name}"'


async def create_pool(dsn: str, *, schema: str | None = None, min_size: int = 1,
                      max_size: int = 10) -> asyncpg.Pool:
    """A pool whose connections use ``schema`` first on their search path, if given."""
    settings = {"search_path": f"{quote_ident(schema)}, public"} if schema else {}
    settings["application_name"] = "interlude"
    pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size,
                                     server_settings=settings)
    assert pool is not None
    return pool


async def plan_for_arguments(conn: asyncpg.Connection) -> None:
    """Until the caller's transaction ends, PostgreSQL plans each statement for the arguments
    it is given. By default a prepared statement (asyncpg prepares every one) runs on a
    generic plan from its sixth run on, made without knowing how long its arrays are: for a
    batch of rows sent as arrays (``unnest``) against a table a rebuild is filling, that plan
    took a hundred times longer (notify's inbox: 4 ms, then 500 ms a batch from the sixth on).
    Planning costs ~0.1 ms a statement: worth it for a statement over hundreds of rows, not
    for a run of one-row statements."""
    await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")


def migration_files(folder: Path) -> list[Path]:
    """The ``NNNN_name.sql`` files of ``folder`` in order."""
    files = sorted(p for p in folder.glob("*.sql") if p.name[:4].isdigit())
    numbers = [p.name[:4] for p in files]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"two migrations share a number in {folder}")
    return files


async def migrate(conn: asyncpg.Connection, *folders: Path) -> list[str]:
    """Apply the migrations of ``folders`` not yet applied; return the names applied now.

    Runs under an advisory lock so two processes starting together do not race.
    """
    applied_now: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(7231001)")
        # only where missing: IF NOT EXISTS still needs CREATE on the schema, which a runtime
        # role that only checks the migrations (audit_app) does not have
        if await conn.fetchval("SELECT to_regclass('schema_migrations')") is None:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
        for folder in folders:
            for path in migration_files(folder):
                name = f"{folder.parent.name}/{path.name}"
                if name in done:
                    continue
                await conn.execute(path.read_text())
                await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                applied_now.append(name)
    return applied_now
