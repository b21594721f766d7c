"""An API on the shared platform while its nats-server is gone: writes and reads answer 503 with
``Retry-After`` at once instead of hanging, /readyz says not ready, and when the server is back
on the same port and store the API writes again by itself; an idempotent write retried after
the 503 is stored once."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import nats.errors
import pytest
from fastapi import FastAPI, Header

from interlude.shared.config import PlatformSettings
from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.http.app import create_app
from interlude.shared.http.health import nats_ready
from interlude.shared.runtime import Platform, open_platform
from interlude.shared.stack.nats import NatsServer, start_nats
from interlude.shared.stack.ports import free_port, free_ports
from interlude.shared.testing.tally import Counted, registry

UNAVAILABLE = "urn:interlude:problem:unavailable"
CLIENT_TIMEOUT = 5.0  # far longer than the answer may take; reached only if the API hangs


def tally_app(settings: PlatformSettings) -> FastAPI:
    """The smallest service: a write appends a tally event, a read loads its subject."""
    codec = EventCodec(registry)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        platform = await open_platform(settings)
        app.state.platform = platform
        app.state.store = await platform.event_store("tally")
        app.state.readiness["nats"] = nats_ready(platform.nc)
        try:
            yield
        finally:
            await platform.close()

    app = create_app("tally", lifespan=lifespan)

    def subject(app: FastAPI, tally: str) -> str:
        return str(app.state.store.stream.subject("t1", "tally", tally))

    @app.post("/tallies/{tally}", status_code=201)
    async def add(tally: str, idempotency_key: Annotated[str, Header()]) -> dict[str, Any]:
        ctx = CommandContext(tenant_id="t1", actor=Actor("u1"), now=datetime.now(UTC),
                             correlation_id=idempotency_key)
        envelope = await codec.encode(Counted(by=1), ctx, tally)
        result = await app.state.store.append(subject(app, tally), [envelope],
                                              expected_last_seq=None,
                                              idempotency_key=idempotency_key)
        return {"position": result.position, "duplicate": result.duplicate}

    @app.get("/tallies/{tally}")
    async def read(tally: str) -> dict[str, Any]:
        got = await app.state.store.read(subject(app, tally))
        return {"commits": [c.position for c in got.commits]}

    return app


@contextlib.asynccontextmanager
async def api_on(server: NatsServer, postgres_dsn: str,
                 namespace: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = PlatformSettings(service_name="tally", nats_url=server.url,
                                database_url=postgres_dsn, stream_namespace=namespace,
                                master_secret=secrets.token_urlsafe(32), log_json=False)
    app = tally_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://tally.test",
            timeout=CLIENT_TIMEOUT) as client:
        yield app, client


async def within_client_timeout(request: Any) -> httpx.Response:
    """The response, or a failed test when it takes as long as a client would wait."""
    async with asyncio.timeout(CLIENT_TIMEOUT):
        return await request  # type: ignore[no-any-return]


async def answers_again(client: httpx.AsyncClient, key: str) -> httpx.Response:
    """Retry the write, as a client told ``Retry-After`` would, until it is stored (15 s)."""
    for _ in range(150):
        response = await client.post("/tallies/a", headers={"Idempotency-Key": key})
        if response.status_code != 503:
            return response
        await asyncio.sleep(0.1)
    raise AssertionError("the API did not write again within 15s of nats-server's return")


@pytest.mark.slow
async def test_writes_answer_503_while_nats_is_gone_and_resume_when_it_returns(
        postgres_dsn: str, namespace: str, tmp_path: Path) -> None:
    port, monitor = free_ports(2)
    server = start_nats(tmp_path / "nats", port=port, monitor_port=monitor, sync_always=False)
    try:
        async with api_on(server, postgres_dsn, namespace) as (_app, client):
            first = await client.post("/tallies/a", headers={"Idempotency-Key": "k1"})
            assert first.status_code == 201, first.text

            server.child.kill()  # SIGKILL to the PID we started, as a crash would

            write = await within_client_timeout(
                client.post("/tallies/a", headers={"Idempotency-Key": "k2"}))
            assert write.status_code == 503, write.text
            assert write.headers["Retry-After"].isdigit()
            assert write.headers["content-type"] == "application/problem+json"
            problem = write.json()
            assert problem["type"] == UNAVAILABLE and "try again" in problem["detail"].lower()
            read = await within_client_timeout(client.get("/tallies/a"))
            assert read.status_code == 503 and read.json()["type"] == UNAVAILABLE
            ready = await within_client_timeout(client.get("/readyz"))
            assert ready.status_code == 503 and "nats" in ready.json()["checks"]

            server = start_nats(tmp_path / "nats", port=port, monitor_port=monitor,
                                sync_always=False)  # same port, same store, same API process
            again = await answers_again(client, "k2")
            assert again.status_code == 201, again.text
            retried = await client.post("/tallies/a", headers={"Idempotency-Key": "k2"})
            assert retried.json() == {"position": again.json()["position"], "duplicate": True}
            stored = (await client.get("/tallies/a")).json()["commits"]
            assert stored == [first.json()["position"], again.json()["position"]]
            assert (await client.get("/readyz")).status_code == 200
    finally:
        server.stop()


@pytest.mark.slow
async def test_a_request_in_flight_when_nats_dies_fails_at_once(
        postgres_dsn: str, namespace: str, tmp_path: Path) -> None:
    """nats-py would let it wait out its whole timeout for a reply that went with the
    connection."""
    server = start_nats(tmp_path / "nats", port=free_port(), monitor_port=free_port(),
                        sync_always=False)
    try:
        async with api_on(server, postgres_dsn, namespace) as (app, _client):
            platform: Platform = app.state.platform
            silent = await platform.nc.subscribe("tally.silent")  # receives, never answers
            waiting = asyncio.create_task(platform.nc.request("tally.silent", b"?", timeout=60))
            await silent.next_msg(timeout=5)  # the request is out
            server.child.kill()
            with pytest.raises(nats.errors.ConnectionReconnectingError):
                async with asyncio.timeout(CLIENT_TIMEOUT):
                    await waiting
    finally:
        server.stop()
