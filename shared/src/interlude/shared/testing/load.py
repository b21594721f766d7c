"""Load for benchmarks: closed-loop lanes (a rate) and an open-loop pacer (latency without
coordinated omission), and percentiles. ``bench/*.py`` use them; they start no servers."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

from interlude.shared.db import quote_ident

Post = Callable[[int], Awaitable[int]]
"""One request, given its number; answers a stream position (or 0)."""


async def create_schemas(dsn: str, *names: str) -> None:
    """Empty PostgreSQL schemas for a benchmark's services (the namespace's and each one's)."""
    conn = await asyncpg.connect(dsn)
    try:
        for name in names:
            await conn.execute(f"CREATE SCHEMA {quote_ident(name)}")
    finally:
        await conn.close()


def pct(samples: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``samples``, nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(samples: list[float], q: float) -> float | None:
    """The ``q`` quantile of ``samples`` (seconds) in milliseconds, one decimal."""
    return round(pct(samples, q) * 1000, 1) if samples else None


async def for_a_while(seconds: float, inflight: int, one: Post) -> float:
    """``inflight`` lanes calling ``one`` until ``seconds`` have passed; calls per second."""
    deadline = time.perf_counter() + seconds
    numbers = iter(range(sys.maxsize))
    done = 0

    async def lane() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await one(next(numbers))
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(inflight)))
    return done / (time.perf_counter() - started)


@dataclass
class Sent:
    started: float  # when it was due to go out (perf_counter)
    answered: float
    position: int


async def paced(rate: float, seconds: float, one: Post,
                after: Callable[[int, Sent], Awaitable[None]] | None = None) -> list[Sent]:
    """Open loop: a post due every ``1/rate`` s, each its own task, however the others fare."""
    n = max(1, round(rate * seconds))
    start = time.perf_counter() + 0.05

    async def due(i: int, at: float) -> Sent:
        position = await one(i)
        sent = Sent(at, time.perf_counter(), position)
        if after is not None:
            await after(i, sent)
        return sent

    tasks = []
    for i in range(n):
        at = start + i / rate
        if (delay := at - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(due(i, at)))
    behind = time.perf_counter() - (start + (n - 1) / rate)
    if behind > 0.05:
        print(f"WARNING: the pacer itself fell {behind * 1000:.0f} ms behind schedule",
              file=sys.stderr, flush=True)
    return await asyncio.gather(*tasks)
