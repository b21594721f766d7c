"""Live delivery of the inbox: the inbox projection announces each new row with ``pg_notify``
on commit (:data:`CHANNEL`, payload ``tenant:recipient:seq``), and each API process listens on
one connection and wakes the Server-Sent Event streams of that recipient. A stream reads its
rows from the table, never from the announcement, so a lost announcement only delays a row
until the stream's next poll; a connection lost (PostgreSQL restarted) is made again, and
every stream looks once more then."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import asyncpg

CHANNEL = "notify_inbox"
CHECK_EVERY = 2.0  # seconds between looks at the listening connection


class Live:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._conn: asyncpg.Connection | None = None
        self._waiting: dict[tuple[str, str], set[asyncio.Event]] = {}
        self._keeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._listen()
        self._keeper = asyncio.create_task(self._keep_listening(), name="notify live feed")

    async def stop(self) -> None:
        if self._keeper is not None:
            self._keeper.cancel()
            await asyncio.gather(self._keeper, return_exceptions=True)
            self._keeper = None
        await self._close()

    async def _listen(self) -> None:
        self._conn = await asyncpg.connect(self._dsn)
        await self._conn.add_listener(CHANNEL, self._on_notify)

    async def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None

    async def _keep_listening(self) -> None:
        while True:
            await asyncio.sleep(CHECK_EVERY)
            if self._conn is not None and not self._conn.is_closed():
                continue
            await self._close()
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                await self._listen()
                for streams in self._waiting.values():  # what was announced meanwhile
                    for woken in streams:
                        woken.set()

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        tenant_id, recipient_id, _seq = payload.split(":", 2)
        for woken in self._waiting.get((tenant_id, recipient_id), ()):
            woken.set()

    @contextlib.contextmanager
    def watching(self, tenant_id: str, recipient_id: str) -> Iterator[asyncio.Event]:
        """An event set whenever the recipient's inbox may have grown."""
        key, woken = (tenant_id, recipient_id), asyncio.Event()
        self._waiting.setdefault(key, set()).add(woken)
        try:
            yield woken
        finally:
            self._waiting[key].discard(woken)
            if not self._waiting[key]:
                del self._waiting[key]
