"""Prometheus metrics of an API, served at ``/metrics``: requests by route template and status
class, their latency, and commands (write requests) by outcome; collectors the lifespan
watches (:mod:`interlude.shared.http.projection_metrics`) refresh what is read at scrape time.

Labels are bounded and carry nothing about a person: the route *template*
(``/v1/contracts/{contract_id}/check-ins``, never the path with its ids), ``unmatched`` for a
path no route serves, the method, the status class (``2xx``), the outcome, the service name.
Each app has a registry of its own, so tests that build many apps never collide.

The hot path is a dictionary look-up, a bisection and three additions per request; the
Prometheus families are built from those numbers when ``/metrics`` is read.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[None]]  # refreshes its collector's figures before a scrape
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
OUTCOMES = {2: "accepted", 3: "accepted", 4: "refused", 5: "failed"}
UNMATCHED = "unmatched"  # a path no route serves: its own text could carry anything
NOT_MEASURED = frozenset({"/metrics", "/healthz", "/readyz"})  # probes, not traffic
# seconds: our targets sit between 1 ms (a cached read) and 50 ms (a p99 post)
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class _Series:
    """One label set's figures: plain numbers, no locks (the event loop is the only writer;
    the scrape reads them on the same loop)."""

    __slots__ = ("buckets", "count", "total")

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0
        self.buckets = [0] * (len(BUCKETS) + 1)  # the last one: above every bound


class ServiceMetrics:
    """The metrics of one API and what is read before each scrape."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_HttpCollector(self))
        self.series: dict[tuple[str, str, int], _Series] = {}  # method, route, status class
        self._watched: dict[str, tuple[Collector, Probe]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method if method in METHODS else "OTHER", route, status // 100)
        series = self.series.get(key)
        if series is None:
            series = self.series[key] = _Series()
        series.count += 1
        series.total += seconds
        series.buckets[bisect.bisect_left(BUCKETS, seconds)] += 1

    def watch(self, name: str, collector: Collector, probe: Probe) -> None:
        """Report ``collector``, with ``probe`` run before each scrape. A name watched again
        (a lifespan run a second time) replaces what it watched before."""
        if name in self._watched:
            self.registry.unregister(self._watched.pop(name)[0])
        self.registry.register(collector)
        self._watched[name] = (collector, probe)

    async def exposition(self) -> bytes:
        """The text a Prometheus scrape reads; a probe that fails leaves its figures out
        (and says why in the log) rather than failing the whole scrape."""
        for _, probe in list(self._watched.values()):
            try:
                await probe()
            except Exception as err:
                log.warning("a metrics probe failed: %s: %s", type(err).__name__, err)
        return generate_latest(self.registry)


class _HttpCollector(Collector):
    """The request figures as Prometheus families, built at scrape time from the series
    (prometheus_client's own counters and histograms take a lock per increment: several
    times the cost of these, on every request)."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Any]:
        service = self.metrics.service
        requests = CounterMetricFamily(
            "interlude_http_requests", "HTTP requests answered, by route template and status "
            "class", labels=["service", "method", "route", "status"])
        latency = HistogramMetricFamily(
            "interlude_http_request_duration_seconds", "Time from a request's arrival to the "
            "end of its answer, by route template", labels=["service", "method", "route"])
        commands = CounterMetricFamily(
            "interlude_commands", "Write requests (commands) by outcome: accepted (2xx, 3xx), "
            "refused (4xx), failed (5xx)", labels=["service", "route", "outcome"])
        by_route: dict[tuple[str, str], list[_Series]] = {}
        outcomes: dict[tuple[str, str], int] = {}
        for (method, route, status_class), series in sorted(self.metrics.series.items()):
            requests.add_metric([service, method, route, f"{status_class}xx"], series.count)
            by_route.setdefault((method, route), []).append(series)
            if method in WRITES:
                kind = (route, OUTCOMES.get(status_class, "failed"))
                outcomes[kind] = outcomes.get(kind, 0) + series.count
        for (method, route), group in by_route.items():
            latency.add_metric([service, method, route], _cumulative(group),
                               sum(s.total for s in group))
        for (route, outcome), count in sorted(outcomes.items()):
            commands.add_metric([service, route, outcome], count)
        yield from (requests, latency, commands)


def _cumulative(group: list[_Series]) -> list[tuple[str, float]]:
    counts = [sum(s.buckets[i] for s in group) for i in range(len(BUCKETS) + 1)]
    bounds = [*(str(b) for b in BUCKETS), "+Inf"]
    return list(zip(bounds, itertools.accumulate(counts), strict=True))


class RequestMetrics:
    """ASGI middleware timing every HTTP request and counting it under its route template,
    which the router leaves in ``scope["route"]`` once it has matched."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in NOT_MEASURED:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            self.metrics.observe(scope["method"], route, status,
                                 time.perf_counter() - started)


def install_metrics(app: FastAPI, service: str) -> ServiceMetrics:
    """``/metrics`` on ``app`` and the middleware that feeds it; ``app.state.metrics`` takes
    what a lifespan watches (:meth:`ServiceMetrics.watch`)."""
    metrics = ServiceMetrics(service)
    app.state.metrics = metrics

    @app.get("/metrics", include_in_schema=False)
    async def scrape() -> Response:
        return Response(await metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(RequestMetrics, metrics=metrics)
    return metrics
