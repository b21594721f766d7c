"""Telemetry leaving real service processes: a check-in's trace reaches an OTLP collector from
engagement's API and from its worker (a process of its own, as ``make run`` starts it), and
every API answers ``/metrics`` with its requests, their latency and its projections' lag,
labelled by nothing that names a person or an organisation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from interlude.audit.testing import RunningAudit
from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement, engagement_settings, running_engagement
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.shared.testing.plugin import own_schema
from interlude.shared.testing.watch import worker_process

from .journey import active_contract, expect

CHECK_IN = "POST /v1/contracts/{contract_id}/check-ins"


@dataclass
class Span:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, str]


@dataclass
class Collector:
    """An OTLP/HTTP collector stand-in: every ``POST /v1/traces`` decoded into spans."""

    spans: list[Span] = field(default_factory=list)
    port: int = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:  # the exporter keeps its connection open between batches
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {k.lower(): v.strip() for k, _, v in
                           (line.partition(":") for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if lines[0].startswith("POST /v1/traces"):
                    self.add(body)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\n"
                             b"Content-Length: 0\r\n\r\n")
                await writer.drain()
        writer.close()

    def add(self, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            service = next(a.value.string_value for a in resource_spans.resource.attributes
                           if a.key == "service.name")
            for scope in resource_spans.scope_spans:
                for s in scope.spans:
                    self.spans.append(Span(
                        service, s.name, s.trace_id.hex(), s.span_id.hex(),
                        s.parent_span_id.hex(),
                        {a.key: str(a.value.ListFields()[0][1]) if a.value.ListFields() else ""
                         for a in s.attributes}))


@pytest.fixture
async def collector() -> AsyncIterator[Collector]:
    found = Collector()
    server = await asyncio.start_server(found.serve, "127.0.0.1", 0)
    found.port = server.sockets[0].getsockname()[1]
    async with server:
        yield found


@pytest.fixture
async def traced_engagement(identity: RunningIdentity, collector: Collector,
                            monkeypatch: pytest.MonkeyPatch, nats_url: str, postgres_dsn: str,
                            namespace: str) -> AsyncIterator[RunningEngagement]:
    """engagement's API built by its own ``create_app`` with nothing but the standard OTel
    variables set, and its worker in a process of its own that inherits them."""
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{collector.port}")
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "100")  # ms: batches leave at once
    assert identity.settings.master_secret is not None
    settings = engagement_settings(nats_url, postgres_dsn, namespace,
                                   identity.settings.master_secret.get_secret_value())
    async with own_schema(postgres_dsn, f"{namespace}_engagement") as schema, \
            running_engagement(settings, schema, identity.app, with_worker=False) as running:
        with worker_process("interlude.engagement.worker", settings, schema):
            yield running


def descends(span: Span, ancestor: Span, spans: list[Span]) -> bool:
    by_id = {s.span_id: s for s in spans}
    while span.parent_id:
        if span.parent_id == ancestor.span_id:
            return True
        parent = by_id.get(span.parent_id)
        if parent is None:
            return False
        span = parent
    return False


@pytest.mark.slow
async def test_a_check_in_is_one_trace_from_the_api_through_nats_into_the_projection(
        identity: RunningIdentity, traced_engagement: RunningEngagement,
        collector: Collector) -> None:
    engagement = traced_engagement
    cast = await eventually_active_contract(identity, engagement)
    posted = await expect(await engagement.client.post(
        f"/v1/contracts/{cast.contract_id}/check-ins", headers=cast.coachee.headers,
        json={"text": "slept well before the review"}), 201)

    def request_span() -> Span | None:
        return next((s for s in collector.spans if s.name == CHECK_IN), None)

    def projected() -> list[Span]:
        root = request_span()
        return [s for s in collector.spans if root is not None and s.trace_id == root.trace_id
                and s.service == "engagement-worker" and s.name.startswith("project ")]

    await eventually(lambda: bool(projected()), timeout=30)
    root = request_span()
    assert root is not None and root.service == "engagement"
    for span in projected():  # the publish carried the request's context across NATS
        assert descends(span, root, collector.spans)
        assert int(span.attributes["interlude.position"]) >= posted["position"]
    secrets = (cast.contract_id, cast.coachee.user_id, cast.coachee.tenant_id, "slept well")
    for span in collector.spans:
        assert not any(s in v for v in span.attributes.values() for s in secrets), span


async def eventually_active_contract(identity: RunningIdentity,
                                     engagement: RunningEngagement) -> Any:
    """The worker in its own process projects the people the contract names a moment after
    identity registers them; the contract is refused until then."""
    cast: list[Any] = []

    async def made() -> bool:
        try:
            cast.append(await active_contract(identity, engagement))
        except AssertionError:
            return False
        return True

    await eventually(made, timeout=30)
    return cast[0]


async def metrics(client: Any) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return str(response.text)


@pytest.mark.slow
async def test_every_api_answers_metrics_with_requests_latency_and_projection_lag(
        identity: RunningIdentity, engagement: RunningEngagement, community: RunningCommunity,
        audit: RunningAudit) -> None:
    cast = await active_contract(identity, engagement)
    await expect(await engagement.client.post(
        f"/v1/contracts/{cast.contract_id}/check-ins", headers=cast.coachee.headers,
        json={"text": "a hard week"}), 201)
    for client in (identity.client, community.client, audit.client):
        await client.get("/v1/nothing-here", headers=cast.coach.headers)
    texts = {"identity": await metrics(identity.client),
             "engagement": await metrics(engagement.client),
             "community": await metrics(community.client), "audit": await metrics(audit.client)}
    for service, text in texts.items():
        assert 'interlude_http_requests_total{method=' in text, service
        assert f'service="{service}"' in text, service
        assert "interlude_http_request_duration_seconds_bucket{" in text, service
    assert 'route="/v1/contracts/{contract_id}/check-ins"' in texts["engagement"]
    assert 'interlude_commands_total{outcome="accepted",' in texts["engagement"]
    for service in ("identity", "engagement", "community", "audit"):
        assert "interlude_projection_lag{" in texts[service], service
        assert "interlude_projection_dead_letters{" in texts[service], service
    people = [cast.admin, cast.coach, cast.coachee, cast.sponsor]
    ids = {cast.contract_id, cast.admin.tenant_id, *(p.user_id for p in people)}
    for service, text in texts.items():
        assert not [i for i in ids if i in text], service
