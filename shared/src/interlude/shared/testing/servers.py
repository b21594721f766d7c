"""Real nats-server and PostgreSQL for a test run: embedded processes, or testcontainers
where a Docker engine answers."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from interlude.shared.stack.nats import start_nats
from interlude.shared.stack.ports import free_port
from interlude.shared.stack.postgres import start_postgres

T = TypeVar("T")


@dataclass(frozen=True)
class TestServers:
    nats_url: str
    postgres_dsn: str  # superuser DSN of the "postgres" database
    how: str  # "embedded" or "testcontainers"
    pids: tuple[int | None, ...] = ()  # of the embedded servers
    # the embedded servers' folders (PostgreSQL's data and log, the JetStream store and
    # nats-server's log), for tests that look at what reaches the disk; () in containers
    data_dirs: tuple[Path, ...] = ()


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


def _retried(start: Callable[[int], T], attempts: int) -> T:
    """Start a server on free ports, again on other ports when another program takes a port
    between our choosing it and the server binding it."""
    for attempt in range(1, attempts + 1):
        try:
            return start(attempt)
        except RuntimeError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


@contextlib.contextmanager
def embedded_servers(*, durable: bool = False, attempts: int = 3) -> Iterator[TestServers]:
    """nats-server and PostgreSQL as child processes on free ports in a temporary folder,
    stopped by PID on exit. ``durable`` runs them as ``make run`` does (``sync_interval:
    always``, fsync on), for benchmarks; tests trade that for speed."""
    root = Path(tempfile.mkdtemp(prefix="interlude-test-"))
    sync = durable or os.environ.get("INTERLUDE_TEST_NATS_SYNC") == "always"
    nats = pg = None
    try:
        nats = _retried(lambda i: start_nats(root / f"nats{i}", port=free_port(),
                                             monitor_port=free_port(), sync_always=sync),
                        attempts)
        pg = _retried(lambda i: start_postgres(root / f"postgres{i}", port=free_port(),
                                               fsync=durable), attempts)
        yield TestServers(nats_url=nats.url, postgres_dsn=pg.admin_dsn, how="embedded",
                          pids=(nats.child.pid, pg.pid()),
                          data_dirs=(nats.store_dir.parent, pg.data_dir))
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
