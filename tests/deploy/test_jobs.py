"""The Jobs' scripts run as the Jobs run them, against the real PostgreSQL and nats-server:
deploy/k8s/base/migrate.py applies a service's migrations once (a second run, the
initContainer after the Job, applies none); deploy/k8s/base/streams.py creates every stream."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import asyncpg
from nats.aio.client import Client as NATS

from interlude.shared.eventstore.streams import all_streams
from interlude.shared.sealing.jetstream_keys import DEFAULT_BUCKET

from .rendering import K8S


def run_script(script: str, *args: str, env: dict[str, str]) -> str:
    """``python deploy/k8s/base/<script> args``, the Job's command, in a process of its own."""
    done = subprocess.run([sys.executable, str(K8S / "base" / script), *args],
                          env=env, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


async def run_migrate(service: str, dsn: str) -> str:
    env = {**os.environ, "INTERLUDE_MIGRATION_DATABASE_URL": dsn}
    return await asyncio.to_thread(run_script, "migrate.py", service, env=env)


async def test_the_job_applies_a_service_s_migrations_once(
        postgres_dsn: str, pg_schema: str) -> None:
    dsn = f"{postgres_dsn}{'&' if '?' in postgres_dsn else '?'}search_path={pg_schema}"
    first = await run_migrate("community", dsn)
    assert "community: 0 migration" not in first
    conn = await asyncpg.connect(postgres_dsn)
    try:
        applied = await conn.fetchval(
            f'SELECT count(*) FROM "{pg_schema}".schema_migrations')
    finally:
        await conn.close()
    assert applied > 0
    assert "community: 0 migration(s) applied now []" in await run_migrate("community", dsn)


async def test_the_streams_job_creates_every_stream_and_the_key_bucket(
        nats_url: str, namespace: str, nc: NATS) -> None:
    env = {**os.environ, "INTERLUDE_NATS_URL": nats_url, "INTERLUDE_STREAM_NAMESPACE": namespace,
           "INTERLUDE_STREAM_REPLICAS": "1"}
    env.pop("NATS_ADMIN_USER", None)  # the test server has no users
    for _ in range(2):  # idempotent: the Job runs on every apply
        await asyncio.to_thread(run_script, "streams.py", env=env)
    js = nc.jetstream()
    for spec in all_streams(namespace):
        info = await js.stream_info(spec.name)
        assert info.config.num_replicas == 1
    await js.stream_info(f"KV_{DEFAULT_BUCKET}_{namespace}")
