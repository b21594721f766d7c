"""Prometheus metrics of an API, served at ``/metrics``: requests by route template and status
class, their latency, and commands (write requests) by outcome; collectors the lifespan
watches (:mod:`interlude.shared.http.projection_metrics`) refresh what is read at scrape time.

Labels are bounded and carry nothing about a person: the route *template*
(``/v1/contracts/{contract_id}/check-ins``, never the path with its ids), ``unmatched`` for a
path no route serves, the method, the status class (``2xx``), the outcome, the service name.
Each app has a registry of its own, so tests that build many apps never collide.

The hot path is one dictionary look-up per request for the label set's children (``labels()``
would hash and lock on every call), a counter increment and a histogram observation.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, Counter, Histogram
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


class ServiceMetrics:
    """The metrics of one API and the probes run before each scrape."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=False)
        self.requests = Counter(
            "interlude_http_requests", "HTTP requests answered, by route template and status "
            "class", ["service", "method", "route", "status"], registry=self.registry)
        self.latency = Histogram(
            "interlude_http_request_duration_seconds", "Time from a request's arrival to the "
            "end of its answer, by route template", ["service", "method", "route"],
            buckets=BUCKETS, registry=self.registry)
        self.commands = Counter(
            "interlude_commands", "Write requests (commands) by outcome: accepted (2xx), "
            "refused (4xx), failed (5xx)", ["service", "route", "outcome"],
            registry=self.registry)
        self._watched: dict[str, tuple[Collector, Probe]] = {}
        self._children: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status // 100)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = self._children_of(*key)
        requests, latency, command = children
        requests.inc()
        latency.observe(seconds)
        if command is not None:
            command.inc()

    def _children_of(self, method: str, route: str, status_class: int) -> tuple[Any, Any, Any]:
        method = method if method in METHODS else "OTHER"
        command = None
        if method in WRITES:
            outcome = OUTCOMES.get(status_class, "failed")
            command = self.commands.labels(self.service, route, outcome)
        return (self.requests.labels(self.service, method, route, f"{status_class}xx"),
                self.latency.labels(self.service, method, route), command)

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
