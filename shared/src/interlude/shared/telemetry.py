"""OpenTelemetry, set up once per process, and the trace context carried in NATS headers.

A request's trace continues through the publish (``traceparent`` in the message headers) into
every consumer, so one trace shows an HTTP request, its commit and the projections it fed.

Every API (``interlude.shared.http.app.create_app``) and every worker
(``interlude.shared.worker``) calls :func:`tracing_from_environment`: with the standard
``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) set, spans leave
the process over OTLP/HTTP in batches; without it no provider is installed, spans are not
recorded and nothing is sent.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

TRACER_NAME = "interlude"
ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def tracing_from_environment(service_name: str, *, fallback: str = "none",
                             set_global: bool = False,
                             environ: Mapping[str, str] | None = None) -> TracerProvider | None:
    """The process's tracer provider as its environment asks: OTLP when an OTLP endpoint is
    set, else ``fallback`` (a worker's ``INTERLUDE_OTEL_EXPORTER``: "console" or "otlp" to the
    default endpoint); None when tracing is off, so that callers keep the no-op default.

    ``OTEL_SERVICE_NAME`` overrides ``service_name``. The exporter reads the other standard
    variables itself (headers, timeout, ``OTEL_BSP_*`` for the batching)."""
    env = os.environ if environ is None else environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    name = "otlp" if any(env.get(v) for v in ENDPOINT_VARIABLES) else fallback
    if name not in ("otlp", "console"):
        return None
    return setup_tracing(env.get("OTEL_SERVICE_NAME") or service_name, exporter=name,
                         set_global=set_global)


def setup_tracing(service_name: str, exporter: str | SpanExporter = "none",
                  set_global: bool = True) -> TracerProvider:
    """A tracer provider for this process. ``exporter`` is "none", "console", "otlp" or an
    exporter object (tests pass an in-memory one, and ``set_global=False``)."""
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    span_exporter: SpanExporter | None
    span_exporter = _named_exporter(exporter) if isinstance(exporter, str) else exporter
    if span_exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(span_exporter))
    if set_global:
        trace.set_tracer_provider(provider)
    return provider


def _named_exporter(name: str) -> SpanExporter | None:
    if name == "console":
        return ConsoleSpanExporter()
    if name == "otlp":  # imported here: a process that does not export never loads protobuf
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
            OTLPSpanExporter,
        )

        # endpoint, headers, timeout: from OTEL_EXPORTER_OTLP_*; the package is untyped
        exporter: SpanExporter = OTLPSpanExporter()
        return exporter
    return None


# what the HTTP instrumentation records that can hold an id (the path and query, the full URL)
# or a person's data (their address and browser): a request's span names its route template
_PATH_ATTRIBUTES = ("http.target", "http.url", "url.path", "url.full")
_PERSONAL_ATTRIBUTES = ("url.query", "http.user_agent", "user_agent.original", "net.peer.ip",
                        "http.client_ip", "client.address", "network.peer.address",
                        "net.sock.peer.addr")


def redact_request_span(span: trace.Span, _scope: Mapping[str, Any]) -> None:
    """The server request hook of every API: the span keeps the route template where the
    instrumentation put the path with its ids, and drops the caller's address and agent."""
    attributes = getattr(span, "attributes", None) or {}
    route = str(attributes.get("http.route") or "unmatched")
    for key in _PATH_ATTRIBUTES:
        if key in attributes:
            span.set_attribute(key, route)
    for key in _PERSONAL_ATTRIBUTES:
        if key in attributes:
            span.set_attribute(key, "redacted")


def tracer(provider: trace.TracerProvider | None = None) -> trace.Tracer:
    return (provider or trace.get_tracer_provider()).get_tracer(TRACER_NAME)


def inject_headers(headers: dict[str, str]) -> dict[str, str]:
    """Add ``traceparent`` (and ``tracestate``) of the current span to NATS headers."""
    propagate.inject(headers)
    return headers


def extract_context(headers: Mapping[str, Any] | None) -> context.Context:
    """The trace context a message was published under (empty when it carried none)."""
    return propagate.extract(dict(headers or {}))
