"""Apply one service's migrations: what its API does on start-up
(``interlude.shared.runtime.started`` calls ``interlude.shared.db.migrate``), as the database's
owner. Run by the migration Job and by each Deployment's initContainer (ADR 0012); idempotent and
under an advisory lock, so the two never race. ``python migrate.py <service>``."""

import asyncio
import os
import sys

import asyncpg

from interlude.shared.db import migrate
from interlude.shared.service import discover_services


async def main(name: str) -> None:
    spec = next(s for s in discover_services() if s.name == name)
    if spec.migrations is None:
        raise SystemExit(f"{name} has no migrations")
    conn = await asyncpg.connect(os.environ["INTERLUDE_MIGRATION_DATABASE_URL"])
    try:
        applied = await migrate(conn, spec.migrations)
    finally:
        await conn.close()
    print(f"{name}: {len(applied)} migration(s) applied now {applied}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
