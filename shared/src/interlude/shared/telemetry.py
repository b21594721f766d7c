"""OpenTelemetry, set up once per process, and the trace context carried in NATS headers.

A request's trace continues through the publish (``traceparent`` in the message headers) into
every consumer, so one trace shows an HTTP request, its commit and the projections it fed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

TRACER_NAME = "interlude"


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
    if name == "otlp":  # optional dependency: opentelemetry-exporter-otlp
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
            OTLPSpanExporter,
        )

        exporter: SpanExporter = OTLPSpanExporter()  # untyped package: say what it is
        return exporter
    return None


def tracer(provider: trace.TracerProvider | None = None) -> trace.Tracer:
    return (provider or trace.get_tracer_provider()).get_tracer(TRACER_NAME)


def inject_headers(headers: dict[str, str]) -> dict[str, str]:
    """Add ``traceparent`` (and ``tracestate``) of the current span to NATS headers."""
    propagate.inject(headers)
    return headers


def extract_context(headers: Mapping[str, Any] | None) -> context.Context:
    """The trace context a message was published under (empty when it carried none)."""
    return propagate.extract(dict(headers or {}))
