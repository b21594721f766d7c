"""notify's /openapi.json describes every answer: each route's success has a schema of its own,
and the problems it may give (RFC 9457, ``application/problem+json``) are declared, so a client
or a fuzzer knows them all."""

from __future__ import annotations

import secrets
from typing import Any

from interlude.notify.main import create_app
from interlude.notify.testing import notify_settings
from interlude.shared.kit import loose_scalars
from interlude.shared.testing.routes import served_openapi, undescribed

EVERY_ROUTE = {"401", "403", "422", "503"}  # a token, a block, a field, an outage
WRITES = {"404", "409", "413"}  # someone else's notification, the current state, a body


async def openapi() -> dict[str, Any]:
    settings = notify_settings("nats://127.0.0.1:1", "postgresql://127.0.0.1:1/none", "openapi",
                               secrets.token_urlsafe(32))
    return await served_openapi(create_app(settings), "http://notify.test")


async def test_every_route_declares_its_answer_and_its_problems() -> None:
    paths = (await openapi())["paths"]
    operations = sum(len(item) for path, item in paths.items()
                     if path.startswith("/v1/notify/"))
    assert operations >= 5  # list, unread count, read one, read all, the live stream
    assert undescribed(paths, "/v1/notify/", EVERY_ROUTE, WRITES) == {}


async def test_the_live_stream_is_described_as_server_sent_events() -> None:
    stream = (await openapi())["paths"]["/v1/notify/stream"]["get"]
    assert "text/event-stream" in stream["responses"]["200"]["content"]
    assert "Last-Event-ID" in {p["name"] for p in stream["parameters"]}


def test_every_boolean_and_number_of_a_body_takes_only_its_own_json_type() -> None:
    assert loose_scalars(create_app(notify_settings(
        "nats://127.0.0.1:1", "postgresql://127.0.0.1:1/none", "openapi",
        secrets.token_urlsafe(32)))) == [], "use StrictBool, StrictInt or StrictFloat"
