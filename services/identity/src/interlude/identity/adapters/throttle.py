"""Sign-in throttling in PostgreSQL, shared by every identity replica: after a few failures
an account (or a source address, with a higher limit) is locked for a while that doubles with
every further failure, up to a cap. A success clears the account's count. Password links asked
for are counted the same way, under keys of their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg


@dataclass(frozen=True)
class Limits:
    failures: int
    window: timedelta = timedelta(minutes=15)
    first_lock: timedelta = timedelta(seconds=30)
    max_lock: timedelta = timedelta(minutes=15)


ACCOUNT = Limits(failures=5)
SOURCE = Limits(failures=20)
# password links asked for (each counted as it is asked): a few an hour per address, so that
# nobody is buried in e-mail by someone typing theirs again and again, and more per source (an
# office behind one address)
RESET_ACCOUNT = Limits(failures=3, window=timedelta(hours=1), first_lock=timedelta(minutes=15),
                       max_lock=timedelta(hours=1))
RESET_SOURCE = Limits(failures=30, window=timedelta(hours=1), first_lock=timedelta(minutes=15),
                      max_lock=timedelta(hours=1))


class Throttle:
    def __init__(self, pool: asyncpg.Pool, account: Limits = ACCOUNT,
                 source: Limits = SOURCE) -> None:
        self._pool = pool
        # reset-account:…, reset-source:… count links asked for, apart from sign-ins
        self._limits = {"account": account, "source": source,
                        "reset-account": RESET_ACCOUNT, "reset-source": RESET_SOURCE}

    async def locked_until(self, keys: list[str], now: datetime) -> datetime | None:
        """The latest lock still running over any of ``keys`` (``account:…``, ``source:…``)."""
        value = await self._pool.fetchval(
            "SELECT max(locked_until) FROM login_throttle WHERE key = any($1::text[])"
            " AND locked_until > $2", keys, now)
        return value

    async def failed(self, keys: list[str], now: datetime) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            for key in keys:
                limits = self._limits[key.split(":", 1)[0]]
                row = await conn.fetchrow(
                    "INSERT INTO login_throttle AS t (key, failures, window_started)"
                    " VALUES ($1, 1, $2) ON CONFLICT (key) DO UPDATE SET"
                    " failures = CASE WHEN t.window_started < $3 THEN 1 ELSE t.failures + 1 END,"
                    " window_started = CASE WHEN t.window_started < $3 THEN $2"
                    " ELSE t.window_started END RETURNING failures",
                    key, now, now - limits.window)
                over = row["failures"] - limits.failures
                if over >= 0:
                    lock = min(limits.first_lock * (2 ** min(over, 20)), limits.max_lock)
                    await conn.execute("UPDATE login_throttle SET locked_until = $2"
                                       " WHERE key = $1", key, now + lock)

    async def succeeded(self, account_key: str) -> None:
        await self._pool.execute("DELETE FROM login_throttle WHERE key = $1", account_key)
