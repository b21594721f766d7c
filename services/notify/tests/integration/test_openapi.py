"""notify's /openapi.json describes every answer: each route's success has a schema of its own,
and the problems it may give (RFC 9457, ``application/problem+json``) are declared, so a client
or a fuzzer knows them all."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from interlude.notify.main import create_app
from interlude.notify.testing import notify_settings

PROBLEM = "application/problem+json"
EVERY_ROUTE = {"401", "403", "422", "503"}  # a token, a block, a field, an outage
WRITES = {"404", "409", "413"}  # someone else's notification, the current state, a body


async def openapi() -> dict[str, Any]:
    """Served as a client gets it (the lifespan is not run: no server is needed for it)."""
    settings = notify_settings("nats://127.0.0.1:1", "postgresql://127.0.0.1:1/none",
                               "openapi", secrets.token_urlsafe(32))
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://notify.test") as client:
        answer = await client.get("/openapi.json")
    assert answer.status_code == 200
    return dict(answer.json())


def missing(method: str, operation: dict[str, Any]) -> list[str]:
    responses: dict[str, Any] = operation["responses"]
    found = []
    success = [code for code in responses if code.startswith("2")]
    if len(success) != 1:
        found.append(f"one success answer, not {success}")
    for code in success:
        content = responses[code].get("content", {})
        schema = (content.get("application/json") or content.get("text/event-stream")
                  or {}).get("schema")
        if not schema or "$ref" not in schema:
            found.append(f"a response model for {code}, not {schema}")
    wanted = EVERY_ROUTE | (WRITES if method != "get" else set())
    for code in sorted(wanted):
        if PROBLEM not in responses.get(code, {}).get("content", {}):
            found.append(f"the {code} problem")
    return found


async def test_every_route_declares_its_answer_and_its_problems() -> None:
    paths = (await openapi())["paths"]
    routes = {(method, path): operation for path, item in paths.items()
              if path.startswith("/v1/notify/") for method, operation in item.items()}
    assert len(routes) >= 5  # list, unread count, read one, read all, the live stream
    undescribed = {f"{method.upper()} {path}": gaps for (method, path), operation in routes.items()
                   if (gaps := missing(method, operation))}
    assert undescribed == {}


async def test_the_live_stream_is_described_as_server_sent_events() -> None:
    stream = (await openapi())["paths"]["/v1/notify/stream"]["get"]
    assert "text/event-stream" in stream["responses"]["200"]["content"]
    assert "Last-Event-ID" in {p["name"] for p in stream["parameters"]}
