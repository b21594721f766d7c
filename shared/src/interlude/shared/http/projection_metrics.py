"""Projection lag and dead letters, per projection, on the API's ``/metrics``.

The worker processes serve no HTTP, so the API reports for them: every process of a service
shares its PostgreSQL schema, whose ``projection_checkpoints`` table says where each projection
stands in each stream, and the streams say where they end. Read at scrape time (one query, one
stream info per stream, one for the dead-letter stream), so the figures are as fresh as the
scrape and the runners' hot path pays nothing.

``interlude_projection_lag`` is the stream's last sequence minus the checkpoint: the messages
the projection has still to apply. ``interlude_projection_dead_letters`` counts the messages it
set aside (subjects ``<deadletter prefix>.<projection>.<stream>``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import asyncpg
from nats.js import JetStreamContext
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from interlude.shared.eventstore.streams import StreamSpec
from interlude.shared.http.metrics import ServiceMetrics

CHECKPOINTS = "SELECT projection, stream, position FROM projection_checkpoints"


class ProjectionFigures(Collector):
    """A collector of the figures the last :meth:`refresh` read; only current projections
    appear, none left over from an earlier scrape."""

    def __init__(self, service: str, pool: asyncpg.Pool, js: JetStreamContext,
                 deadletters: StreamSpec) -> None:
        self.service = service
        self._pool = pool
        self._js = js
        self._deadletters = deadletters
        self._rows: list[tuple[str, str, int, int]] = []  # projection, stream, lag, dead

    async def refresh(self) -> None:
        try:
            async with self._pool.acquire() as conn:
                checkpoints = await conn.fetch(CHECKPOINTS)
        except asyncpg.UndefinedTableError:  # no projection has started in this schema yet
            checkpoints = []
        last: dict[str, int] = {}
        for stream in sorted({r["stream"] for r in checkpoints}):
            last[stream] = int((await self._js.stream_info(stream)).state.last_seq)
        dead = await self._dead_letters() if checkpoints else {}
        self._rows = [(r["projection"], r["stream"],
                       max(last[r["stream"]] - int(r["position"]), 0),
                       dead.get((r["projection"], r["stream"]), 0)) for r in checkpoints]

    async def _dead_letters(self) -> dict[tuple[str, str], int]:
        prefix = self._deadletters.prefix
        info = await self._js.stream_info(self._deadletters.name, subjects_filter=f"{prefix}.>")
        counts: dict[tuple[str, str], int] = {}
        for subject, count in (info.state.subjects or {}).items():
            parts = subject.removeprefix(prefix + ".").split(".")
            if len(parts) == 2:
                counts[(parts[0], parts[1])] = int(count)
        return counts

    def collect(self) -> Iterator[Any]:
        labels = ["service", "projection", "stream"]
        lag = GaugeMetricFamily("interlude_projection_lag", "Messages in the stream the "
                                "projection has not applied yet", labels=labels)
        dead = GaugeMetricFamily("interlude_projection_dead_letters", "Messages the "
                                 "projection set aside as poison", labels=labels)
        for projection, stream, behind, set_aside in self._rows:
            lag.add_metric([self.service, projection, stream], behind)
            dead.add_metric([self.service, projection, stream], set_aside)
        yield lag
        yield dead


def watch_projections(metrics: ServiceMetrics, pool: asyncpg.Pool, js: JetStreamContext,
                      deadletters: StreamSpec) -> ProjectionFigures:
    """Report the projections of ``pool``'s schema on ``metrics`` (called by the lifespan)."""
    figures = ProjectionFigures(metrics.service, pool, js, deadletters)
    metrics.watch("projections", figures, figures.refresh)
    return figures
