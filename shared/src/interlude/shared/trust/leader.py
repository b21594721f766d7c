"""At most one active projection runner per read model, however many processes start one.

Every process of a service (API replicas, the worker) keeps a trust cache, and each calls
``start_trust``. Two runners on one durable consumer would split its messages between them,
and the checkpoint would then let one skip what the other had not applied yet. So the runner
only runs while its process holds a PostgreSQL session advisory lock named after the read
model; the others wait and take over within ``retry`` seconds when the holder goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from interlude.shared.projections.runner import ProjectionRunner

log = logging.getLogger(__name__)
_LOCK_CLASS = 7231005  # first key of the two-key advisory lock; the second hashes the name


class SingleRunner:
    """Runs ``runner`` only while this process is the leader for it in the pool's schema."""

    def __init__(self, runner: ProjectionRunner, pool: asyncpg.Pool, *,
                 retry: float = 2.0) -> None:
        self.runner = runner
        self._pool = pool
        self._retry = retry
        self._task: asyncio.Task[None] | None = None
        self.leading = False

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(
            self._loop(), name=f"leader {self.runner.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self._lead_while_locked()
            except asyncio.CancelledError:
                raise
            except Exception as err:
                log.warning("projection %s: leadership lost or not reachable: %s",
                            self.runner.name, err)
            await asyncio.sleep(self._retry)

    async def _lead_while_locked(self) -> None:
        async with self._pool.acquire(timeout=self._retry * 2) as conn:
            got = await conn.fetchval(
                "SELECT pg_try_advisory_lock($1, hashtext(current_schema() || ':' || $2))",
                _LOCK_CLASS, self.runner.name, timeout=self._retry * 2)
            if not got:
                return
            try:
                self.leading = True
                await self.runner.start()
                while True:  # the lock lives as long as this session: check it is alive
                    await asyncio.sleep(self._retry)
                    await conn.fetchval("SELECT 1", timeout=self._retry * 2)
            finally:
                self.leading = False
                await self.runner.stop()
                with contextlib.suppress(Exception):
                    await conn.execute("SELECT pg_advisory_unlock_all()", timeout=1)
