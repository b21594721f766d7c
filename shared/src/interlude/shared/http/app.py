"""The FastAPI application every service starts from: problems, limits, request ids, tracing
(exported when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set), metrics at ``/metrics``, and the
health endpoints orchestrators probe."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from interlude.shared.http.context import RequestContext
from interlude.shared.http.limits import BodyLimit
from interlude.shared.http.metrics import install_metrics
from interlude.shared.http.problems import MEDIA_TYPE, PROBLEM_BASE, install_problem_handlers
from interlude.shared.runtime import tune_gc
from interlude.shared.telemetry import redact_request_span, tracing_from_environment

ReadinessCheck = Callable[[], Awaitable[str | None]]  # None when fine, else what is wrong


def create_app(title: str, *, lifespan: Any = None, max_body_bytes: int = 1_000_000,
               readiness: dict[str, ReadinessCheck] | None = None,
               tracer_provider: trace.TracerProvider | None = None) -> FastAPI:
    """A service's app. ``readiness`` checks run on ``/readyz`` (NATS and PostgreSQL reachable,
    projections not failing); ``/healthz`` only says the process answers. Without a
    ``tracer_provider`` (tests pass one), the environment decides whether spans are exported
    (:func:`interlude.shared.telemetry.tracing_from_environment`)."""
    service = title.removeprefix("interlude ")
    tune_gc()  # the process that builds a service's app serves it
    app = FastAPI(title=title, lifespan=lifespan)
    install_problem_handlers(app)
    checks = readiness if readiness is not None else {}
    app.state.readiness = checks

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        failing: dict[str, str] = {}
        for name, check in app.state.readiness.items():
            try:
                problem = await check()
            except Exception as err:
                problem = f"{type(err).__name__}: {err}"
            if problem:
                failing[name] = problem
        if failing:
            body = {"type": PROBLEM_BASE + "not-ready", "title": "Not ready", "status": 503,
                    "detail": "; ".join(f"{k}: {v}" for k, v in failing.items()),
                    "checks": failing}
            return JSONResponse(body, status_code=503, media_type=MEDIA_TYPE)
        return JSONResponse({"status": "ready", "checks": sorted(app.state.readiness)})

    if tracer_provider is None:  # not global: a test process builds many apps
        tracer_provider = tracing_from_environment(service)
    # no spans for each ASGI message sent or received: the request's span is the one we read
    FastAPIInstrumentor.instrument_app(app, tracer_provider=tracer_provider,
                                       excluded_urls="healthz,readyz,metrics",
                                       exclude_spans=["receive", "send"],
                                       server_request_hook=redact_request_span)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(RequestContext)
    install_metrics(app, service)  # outermost: a request the body limit refuses counts too
    return app
