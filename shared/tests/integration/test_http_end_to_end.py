"""One command end to end, on real servers: an HTTP request appends a commit, the projection
applies it, a read with ``?after=`` sees it; one trace covers the whole way; errors are problems."""

from typing import Annotated

import httpx
import pytest
from fastapi import Header, Query
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import BaseModel, Field

from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.eventstore.repository import Repository
from interlude.shared.http.app import create_app
from interlude.shared.http.problems import Problem
from interlude.shared.projections.waiter import PositionWaiter
from interlude.shared.testing.tally import TALLY, Counted


class CountCreate(BaseModel):
    by: int = Field(ge=1, le=100)


@pytest.fixture
async def spans():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


@pytest.fixture
async def client(tallies, postgres_dsn, spans):
    provider, _ = spans
    repo = Repository(tallies.store, tallies.store.stream, TALLY, tallies.codec)
    runner = tallies.runner(tracer_provider=provider)
    waiter = PositionWaiter(postgres_dsn, tallies.pool)
    app = create_app("tally test", tracer_provider=provider, max_body_bytes=10_000)

    @app.post("/v1/tallies/{tally_id}/counts", status_code=201)
    async def count(tally_id: str, body: CountCreate,
                    idempotency_key: Annotated[str | None, Header()] = None) -> dict:
        ctx = CommandContext(tenant_id=tallies.ctx.tenant_id, actor=Actor("u1"),
                             now=tallies.ctx.now, correlation_id="c")
        done = await repo.execute(ctx.tenant_id, tally_id, lambda s: [Counted(by=body.by)], ctx,
                                  idempotency_key)
        return {"id": tally_id, "position": done.position}

    @app.get("/v1/tallies/{tally_id}")
    async def read(tally_id: str, after: Annotated[int, Query(ge=0)] = 0) -> dict:
        await waiter.wait(runner.name, runner.source.name, after, timeout=5)
        row = await tallies.pool.fetchrow(
            "SELECT total, events FROM tally_totals WHERE aggregate_id = $1", tally_id)
        if row is None:
            raise Problem(404, "tally-not-found", f"there is no tally {tally_id}")
        return {"id": tally_id, "total": row["total"], "events": row["events"]}

    await waiter.start()
    await runner.start()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    await runner.stop()
    await waiter.stop()


async def test_a_write_is_readable_with_after_and_one_trace_spans_http_to_projection(
        client, spans):
    _, exporter = spans
    created = await client.post("/v1/tallies/t1/counts", json={"by": 7})
    assert created.status_code == 201
    position = created.json()["position"]
    read = await client.get(f"/v1/tallies/t1?after={position}")
    assert read.json() == {"id": "t1", "total": 7, "events": 1}

    finished = exporter.get_finished_spans()
    server = next(s for s in finished if s.name == "POST /v1/tallies/{tally_id}/counts")
    projected = next(s for s in finished if s.name == "project tally-totals")
    assert projected.context.trace_id == server.context.trace_id
    assert projected.parent is not None


async def test_a_retried_request_with_the_same_idempotency_key_counts_once(client):
    headers = {"Idempotency-Key": "retry-me"}
    first = await client.post("/v1/tallies/t2/counts", json={"by": 3}, headers=headers)
    again = await client.post("/v1/tallies/t2/counts", json={"by": 3}, headers=headers)
    assert first.json()["position"] == again.json()["position"]
    read = await client.get(f"/v1/tallies/t2?after={again.json()['position']}")
    assert read.json()["total"] == 3


@pytest.mark.parametrize(("body", "status", "slug"), [
    ({"by": "seven"}, 422, "validation"),
    ({"by": 0}, 422, "validation"),
    ({}, 422, "validation"),
    ("not json", 422, "validation"),
    ({"by": 1, "pad": "x" * 20_000}, 413, "too-large"),
])
async def test_bad_input_gets_a_problem_response(client, body, status, slug):
    if isinstance(body, str):
        response = await client.post("/v1/tallies/t3/counts", content=body,
                                     headers={"content-type": "application/json"})
    else:
        response = await client.post("/v1/tallies/t3/counts", json=body)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == f"urn:interlude:problem:{slug}"
    assert problem["status"] == status and problem["detail"]


@pytest.mark.parametrize(("body", "detail"), [
    (b'{"by": "\xff\xfe caf\xe9"}', "body: not readable as JSON (UTF-8 text expected)"),
    (b"[" * 4_000 + b"]" * 4_000, "body: JSON nested too deeply to read"),
])
async def test_a_body_the_parser_cannot_read_says_why(client, body, detail):
    # found by tests/fuzz/test_probes.py: JSON nested past the parser's recursion was said to
    # be "not UTF-8 text", which sends its sender looking for the wrong mistake
    response = await client.post("/v1/tallies/t4/counts", content=body,
                                 headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == detail


async def test_unknown_things_are_404_problems_and_requests_get_an_id(client):
    missing = await client.get("/v1/tallies/nobody")
    assert missing.status_code == 404
    assert missing.json()["type"] == "urn:interlude:problem:tally-not-found"
    nowhere = await client.get("/v2/nothing", headers={"X-Request-Id": "abc-123"})
    assert nowhere.status_code == 404 and nowhere.headers["x-request-id"] == "abc-123"


async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).status_code == 200
