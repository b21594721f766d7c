"""Real nats-server and PostgreSQL for a test run: embedded processes, or testcontainers
where a Docker engine answers."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from interlude.shared.stack.nats import start_nats
from interlude.shared.stack.ports import free_port
from interlude.shared.stack.postgres import start_postgres


@dataclass(frozen=True)
class TestServers:
    nats_url: str
    postgres_dsn: str  # superuser DSN of the "postgres" database
    how: str  # "embedded" or "testcontainers"


def docker_available() -> bool:
    """True only when a Docker engine answers; the testcontainers constructors raise without one."""
    if os.environ.get("INTERLUDE_TEST_SERVERS", "auto") == "embedded":
        return False
    try:
        import docker

        docker.from_env().ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def embedded_servers() -> Iterator[TestServers]:
    root = Path(tempfile.mkdtemp(prefix="interlude-test-"))
    nats = pg = None
    try:
        nats = start_nats(root / "nats", port=free_port(), monitor_port=free_port(),
                          sync_always=os.environ.get("INTERLUDE_TEST_NATS_SYNC") == "always")
        pg = start_postgres(root / "postgres", port=free_port(), fsync=False)
        yield TestServers(nats_url=nats.url, postgres_dsn=pg.admin_dsn, how="embedded")
    finally:
        if pg is not None:
            pg.stop()
        if nats is not None:
            nats.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def container_servers() -> Iterator[TestServers]:
    from testcontainers.community.nats import NatsContainer
    from testcontainers.community.postgres import PostgresContainer

    with NatsContainer("nats:2.11", jetstream=True) as nats, \
            PostgresContainer("postgres:17", driver=None) as pg:
        yield TestServers(nats_url=nats.nats_uri(), postgres_dsn=pg.get_connection_url(),
                          how="testcontainers")


def test_servers() -> contextlib.AbstractContextManager[TestServers]:
    return container_servers() if docker_available() else embedded_servers()
