"""What a benchmark needs around a service beyond load: its worker in a process of its own (as
``make run`` starts it), and when each stream position became visible in a read model."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import asyncpg

from interlude.shared.config import PlatformSettings
from interlude.shared.projections.checkpoints import NOTIFY_CHANNEL


def worker_env(settings: PlatformSettings, schema: str) -> dict[str, str]:
    """The environment of a service's worker process on the settings' servers and ``schema``."""
    assert settings.master_secret is not None
    return {**os.environ, "INTERLUDE_NATS_URL": settings.nats_url,
            "INTERLUDE_DATABASE_URL": settings.database_url, "INTERLUDE_DATABASE_SCHEMA": schema,
            "INTERLUDE_STREAM_NAMESPACE": settings.stream_namespace,
            "INTERLUDE_MASTER_SECRET": settings.master_secret.get_secret_value(),
            "INTERLUDE_LOG_LEVEL": "WARNING", "INTERLUDE_LOG_JSON": "false"}


@contextlib.contextmanager
def worker_process(module: str, settings: PlatformSettings, schema: str) -> Iterator[int]:
    """``python -m <module>`` (a service's worker) on the settings' servers and ``schema``, in a
    process of its own; stopped by PID (SIGTERM, then SIGKILL) on the way out."""
    child = subprocess.Popen([sys.executable, "-m", module], env=worker_env(settings, schema),
                             stdin=subprocess.DEVNULL,  # its warnings go to our stderr, and
                             stdout=sys.stderr.fileno())  # stdout keeps only the figures
    try:
        yield child.pid
        if child.poll() is not None:
            raise RuntimeError(f"{module} exited with code {child.returncode}")
    finally:
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


class Visibility:
    """When each position of ``stream`` became visible in the read models of ``projection``:
    its ``pg_notify`` on commit, timestamped as it arrives (as the API's ``PositionWaiter``
    hears it); and where every projection of that stream stands."""

    def __init__(self, stream: str, projection: str) -> None:
        self.stream = stream
        self.projection = projection
        self.times: list[float] = []
        self.positions: list[int] = []  # rising: checkpoints only move forward
        self.latest: dict[str, int] = {}  # per projection of the stream
        self._conn: asyncpg.Connection | None = None

    async def start(self, dsn: str) -> None:
        self._conn = await asyncpg.connect(dsn)
        await self._conn.add_listener(NOTIFY_CHANNEL, self._on_notify)

    async def stop(self) -> None:
        if self._conn is not None:
            await self._conn.close()

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        projection, stream, position = payload.rsplit(":", 2)
        if stream != self.stream:
            return
        self.latest[projection] = max(self.latest.get(projection, 0), int(position))
        if projection == self.projection:
            self.times.append(time.perf_counter())
            self.positions.append(int(position))

    def seen_at(self, position: int) -> float | None:
        i = bisect.bisect_left(self.positions, position)
        return self.times[i] if i < len(self.positions) else None

    async def settle(self, position: int, timeout: float = 30.0) -> None:
        """Until every projection of the stream has applied ``position``: one phase's backlog
        must not fall on the next."""
        deadline = time.perf_counter() + timeout
        while self.seen_at(position) is None or min(self.latest.values()) < position:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"the projections of {self.stream} did not reach position "
                                   f"{position} in {timeout:g} s: {self.latest}")
            await asyncio.sleep(0.01)
