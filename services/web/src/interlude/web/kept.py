"""Something a page shows, kept a few seconds per session, as the header's unread count is
(``badge.py``): the coach's cohorts on the dashboard cost their calls to community once in a
while rather than on every view; the coach's own changes forget it at once."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Kept(Generic[T]):
    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic,
                 most: int = 10_000) -> None:
        self.ttl_s, self.clock, self.most = ttl_s, clock, most
        self._kept: dict[str, tuple[float, T]] = {}

    async def get(self, session_id: str, make: Callable[[], Awaitable[T]]) -> T:
        """The value kept for the session, or a new one from ``make`` once it is too old."""
        now = self.clock()
        found = self._kept.get(session_id)
        if found is not None and now - found[0] < self.ttl_s:
            return found[1]
        value = await make()
        self._kept.pop(session_id, None)
        self._kept[session_id] = (now, value)
        while len(self._kept) > self.most:  # the oldest go first
            self._kept.pop(next(iter(self._kept)))
        return value

    def forget(self, session_id: str) -> None:
        self._kept.pop(session_id, None)
