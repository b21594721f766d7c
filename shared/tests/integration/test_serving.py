"""A service's API as ``serving.service_app`` makes it (every service's ``main.py``): the
service's build runs once the platform is open, its routers answer, its domain errors are
problems, and what the build opened is closed at stop."""

from __future__ import annotations

import secrets

import httpx
from fastapi import APIRouter, FastAPI, Request

from interlude.shared.errors import NotFound
from interlude.shared.eventstore.streams import ensure_stream
from interlude.shared.runtime import Platform
from interlude.shared.serving import CallerSettings, service_app
from interlude.shared.testing.inprocess import caller_settings
from interlude.shared.trust.runtime import Trust

router = APIRouter()


@router.get("/v1/things/{thing_id}")
async def thing(thing_id: str, request: Request) -> dict[str, str]:
    if thing_id not in request.app.state.things:
        raise NotFound("there is no such thing")
    return {"id": thing_id}


async def _identity_stream(platform: Platform) -> None:
    await ensure_stream(platform.js, platform.stream("identity"))


async def test_a_service_app_serves_what_its_build_wired_and_closes_it(
        nats_url, postgres_dsn, namespace, pg_schema, tmp_path):
    settings = caller_settings(CallerSettings, nats_url, postgres_dsn, namespace,
                               secrets.token_urlsafe(32))
    closed: list[str] = []

    async def build(app: FastAPI, platform: Platform, trust: Trust):
        app.state.things = {"t1"}

        async def close() -> None:
            closed.append("things")
        return close

    app = service_app(settings, service="things", routers=(router,), migrations=tmp_path,
                      prepare=_identity_stream, build=build, schema=pg_schema)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://things.test") as client:
        assert (await client.get("/v1/things/t1")).json() == {"id": "t1"}
        missing = await client.get("/v1/things/t2")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert missing.json()["detail"] == "there is no such thing"
        assert closed == []
    assert closed == ["things"]
    assert app.title == "interlude things"
