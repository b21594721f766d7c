"""Live delivery of the inbox: the inbox projection announces each new row with ``pg_notify``
on commit (:data:`CHANNEL`, payload ``tenant:recipient:seq``), and each API process listens on
one connection and wakes the Server-Sent Event streams of that recipient. A stream reads its
rows from the table, never from the announcement, so a lost announcement only delays a row
until the stream's next poll; a connection lost (PostgreSQL restarted) is made again, and
every stream looks once more then.

The same connection hears the news that is nobody's notification (:mod:`.news`, a new post in
a space): that is handed to the recipient's streams as it comes (:attr:`Watch.news`), since no
table keeps it; a stream not open when it is announced never sees it."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import asyncpg

from interlude.notify.app import news

CHANNEL = "notify_inbox"
CHECK_EVERY = 2.0  # seconds between looks at the listening connection
NEWS_HELD = 100  # a stream that reads none of its news keeps only the latest this many


class Watch(asyncio.Event):
    """Set whenever the recipient's inbox may have grown or news came; ``news`` holds what was
    announced live since the stream last took it."""

    def __init__(self) -> None:
        super().__init__()
        self.news: list[dict[str, Any]] = []

    def take_news(self) -> list[dict[str, Any]]:
        taken, self.news = self.news, []
        return taken


class Live:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._conn: asyncpg.Connection | None = None
        self._waiting: dict[tuple[str, str], set[Watch]] = {}
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
        await self._conn.add_listener(news.CHANNEL, self._on_news)

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

    def _on_news(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        told = json.loads(payload)
        streams = self._waiting.get((told.pop("tenant_id"), told.pop("recipient_id")), ())
        for woken in streams:
            woken.news = [*woken.news[-NEWS_HELD + 1:], told]
            woken.set()

    @contextlib.contextmanager
    def watching(self, tenant_id: str, recipient_id: str) -> Iterator[Watch]:
        """Set whenever the recipient's inbox may have grown or news came for them."""
        key, woken = (tenant_id, recipient_id), Watch()
        self._waiting.setdefault(key, set()).add(woken)
        try:
            yield woken
        finally:
            self._waiting[key].discard(woken)
            if not self._waiting[key]:
                del self._waiting[key]
