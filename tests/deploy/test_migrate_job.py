"""The migration Job's script (deploy/k8s/base/migrate.py), run as the Job runs it against the
real PostgreSQL: it applies a service's migrations once, and a second run (the initContainer
after the Job) applies none."""

from __future__ import annotations

import os
import subprocess
import sys

import asyncpg

from .rendering import K8S


def run_migrate(service: str, dsn: str) -> str:
    env = {**os.environ, "INTERLUDE_MIGRATION_DATABASE_URL": dsn}
    done = subprocess.run([sys.executable, str(K8S / "base" / "migrate.py"), service],
                          env=env, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


async def test_the_job_applies_a_service_s_migrations_once(
        postgres_dsn: str, pg_schema: str) -> None:
    dsn = f"{postgres_dsn}{'&' if '?' in postgres_dsn else '?'}search_path={pg_schema}"
    first = run_migrate("community", dsn)
    assert "community: 0 migration" not in first
    conn = await asyncpg.connect(postgres_dsn)
    try:
        applied = await conn.fetchval(
            f'SELECT count(*) FROM "{pg_schema}".schema_migrations')
    finally:
        await conn.close()
    assert applied > 0
    assert "community: 0 migration(s) applied now []" in run_migrate("community", dsn)
