"""Telemetry of every API built by ``create_app``: ``/metrics`` by route template, never by
path; request spans without ids; tracing from the environment; projection lag read at scrape
time from the checkpoints and the streams."""

from __future__ import annotations

import httpx
import pytest
from fastapi import HTTPException
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from interlude.shared.http.app import create_app
from interlude.shared.http.projection_metrics import watch_projections
from interlude.shared.telemetry import tracing_from_environment
from interlude.shared.testing.tally import POISON

PERSON = "9f3c2a71b8e64d0c"
TENANT = "org4471aa02"


def small_app(provider: TracerProvider | None = None):
    app = create_app("interlude things", tracer_provider=provider)

    @app.get("/v1/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        if thing_id == "missing":
            raise HTTPException(404, "no such thing")
        return {"id": thing_id}

    @app.post("/v1/things/{thing_id}/notes", status_code=201)
    async def note(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    return app


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


def samples(text: str, name: str) -> dict[str, float]:
    """``{labels: value}`` of one metric in an exposition."""
    found = {}
    for line in text.splitlines():
        if line.startswith(name + "{"):
            labels, value = line[len(name):].rsplit(" ", 1)
            found[labels] = float(value)
    return found


async def test_metrics_count_requests_by_route_template_status_class_and_outcome() -> None:
    async with client(small_app()) as c:
        for _ in range(3):
            assert (await c.get(f"/v1/things/{PERSON}?tenant={TENANT}")).status_code == 200
        assert (await c.get("/v1/things/missing")).status_code == 404
        assert (await c.post(f"/v1/things/{PERSON}/notes")).status_code == 201
        assert (await c.get(f"/nowhere/{PERSON}")).status_code == 404
        response = await c.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    requests = samples(text, "interlude_http_requests_total")
    assert requests['{method="GET",route="/v1/things/{thing_id}",service="things",'
                    'status="2xx"}'] == 3
    assert requests['{method="GET",route="/v1/things/{thing_id}",service="things",'
                    'status="4xx"}'] == 1
    assert requests['{method="GET",route="unmatched",service="things",status="4xx"}'] == 1
    latency = samples(text, "interlude_http_request_duration_seconds_count")
    assert latency['{method="GET",route="/v1/things/{thing_id}",service="things"}'] == 4
    commands = samples(text, "interlude_commands_total")
    assert commands == {'{outcome="accepted",route="/v1/things/{thing_id}/notes",'
                        'service="things"}': 1.0}
    assert PERSON not in text and TENANT not in text
    assert "/metrics" not in text  # the scrape is not traffic


async def test_request_span_is_named_by_route_and_carries_no_path_ids() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    async with client(small_app(provider)) as c:
        await c.get(f"/v1/things/{PERSON}?tenant={TENANT}",
                    headers={"User-Agent": "Amira's phone"})
    [span] = exporter.get_finished_spans()
    assert span.name == "GET /v1/things/{thing_id}"
    values = " ".join(str(v) for v in (span.attributes or {}).values())
    assert PERSON not in values and TENANT not in values and "Amira" not in values


def test_no_tracing_without_an_endpoint_and_otlp_with_one() -> None:
    assert tracing_from_environment("things", environ={}) is None
    assert tracing_from_environment("things", environ={
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_SDK_DISABLED": "true"}) is None
    provider = tracing_from_environment("things", environ={
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_SERVICE_NAME": "renamed"})
    assert provider is not None
    assert provider.resource.attributes["service.name"] == "renamed"
    provider.shutdown()


@pytest.mark.slow
async def test_metrics_show_projection_lag_and_dead_letters(tallies) -> None:
    app = small_app()
    js = tallies.nc.jetstream()
    for _ in range(2):  # a lifespan run twice watches them once
        watch_projections(app.state.metrics, tallies.pool, js, tallies.deadletters)
    runner = tallies.runner()
    await runner.catch_up()  # its checkpoint row exists, at 0
    for i in range(3):
        await tallies.count(f"a{i}", 1)
    await tallies.count("a9", POISON)
    async with client(app) as c:
        behind = (await c.get("/metrics")).text
        await runner.catch_up()
        caught_up = (await c.get("/metrics")).text
    key = (f'{{projection="{runner.name}",service="things",'
           f'stream="{tallies.store.stream.name}"}}')
    assert samples(behind, "interlude_projection_lag")[key] == 4
    assert samples(behind, "interlude_projection_dead_letters")[key] == 0
    assert samples(caught_up, "interlude_projection_lag")[key] == 0
    assert samples(caught_up, "interlude_projection_dead_letters")[key] == 1
