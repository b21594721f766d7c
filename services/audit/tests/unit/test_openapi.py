"""audit's /openapi.json describes every answer: each route's success with a named model (the
JSON Lines answers with the model of a line), and the problems it can give as RFC 9457
problem details, so a client, a fuzzer or a reader of the document meets no undocumented
status code or content type."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from interlude.audit.api.schemas import CheckpointLine, ExportLine, OcsfLine
from interlude.audit.main import create_app
from interlude.audit.settings import AuditSettings
from interlude.shared.auth.dependencies import current_principal
from interlude.shared.http.problems import MEDIA_TYPE as PROBLEM
from interlude.shared.kit import loose_scalars


def _settings() -> AuditSettings:
    return AuditSettings(signing_key=base64.b64encode(secrets.token_bytes(32)).decode(),
                         master_secret=base64.b64encode(secrets.token_bytes(32)).decode(),
                         log_json=False)


def _named(schema: dict[str, Any]) -> bool:
    """A schema that is a named model, or a choice among named models (not a bare object)."""
    if "$ref" in schema:
        return True
    choices = schema.get("anyOf") or schema.get("oneOf")
    return bool(choices) and all(_named(choice) for choice in choices)


def _api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, also those of included routers (kept apart since FastAPI 0.16x)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _api_routes(route.original_router.routes)


def _authenticated(dependant: Dependant) -> bool:
    return any(d.call is current_principal or _authenticated(d) for d in dependant.dependencies)


def _gaps(path: str, method: str, operation: dict[str, Any], signed_in: bool) -> list[str]:
    """What the operation's entry leaves undescribed."""
    where = f"{method.upper()} {path}"
    responses: dict[str, Any] = operation["responses"]
    gaps = []
    successes = [s for s in responses if s.startswith("2")]
    if not successes:
        gaps.append(f"{where}: no success response")
    for status in successes:
        content = responses[status].get("content") or {}
        if not content:
            gaps.append(f"{where}: {status} declares no content")
        for media_type, body in content.items():
            schema = body.get("schema") or {}
            if media_type != "application/json" and schema.get("format") == "binary":
                continue  # a file (the export's ZIP): described as bytes of its media type
            if not _named(schema):
                gaps.append(f"{where}: {status} {media_type} has no response model")
    for status, response in responses.items():
        if status[0] in "45" and set(response.get("content") or {}) != {PROBLEM}:
            gaps.append(f"{where}: {status} is not described as {PROBLEM}")
    wanted = {"503"}
    if operation.get("parameters") or operation.get("requestBody"):
        wanted.add("422")
    if operation.get("requestBody"):
        wanted.add("413")  # the body limit every service has
    if signed_in:
        wanted |= {"401", "403"}
    gaps += [f"{where}: {status} is not declared" for status in sorted(wanted - set(responses))]
    return gaps


async def test_every_route_declares_its_answer_and_its_problems() -> None:
    app = create_app(_settings())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://audit.test") as client:
        document = (await client.get("/openapi.json")).json()
    routes = {(r.path, method.lower()): r for r in _api_routes(app.routes)
              for method in r.methods}
    gaps = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            signed_in = _authenticated(routes[path, method].dependant)
            gaps += _gaps(path, method, operation, signed_in)
    assert sum(len(ops) for ops in document["paths"].values()) >= 6
    assert gaps == []


def test_the_walk_catches_an_untyped_answer_and_a_missing_problem() -> None:
    """The check itself: a route answering a bare dict, and one without its 401, both fail."""
    untyped = {"responses": {"200": {"content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": True}}}}, "503": {"content": {
            PROBLEM: {"schema": {}}}}}}
    assert _gaps("/x", "get", untyped, signed_in=False) == [
        "GET /x: 200 application/json has no response model"]
    typed = {"responses": {"200": {"content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/X"}}}}, "503": {"content": {PROBLEM: {"schema": {}}}}}}
    assert _gaps("/x", "get", typed, signed_in=True) == [
        "GET /x: 401 is not declared", "GET /x: 403 is not declared"]


@pytest.mark.parametrize("line", [
    b'{"type": "checkpoint", "body": "{}", "signature": "00"}',
    b'{"type": "keys", "tenant_id": "t", "keys": []}',
    b'{"type": "record", "seq": 1, "record": "{}", "chain_hash": "00", "columns": {}}',
    b'{"class_uid": 6003, "class_name": "API Activity", "category_uid": 6, "activity_id": 2,'
    b' "type_uid": 600302, "time": 0, "metadata": {}}',
])
def test_the_line_models_read_every_kind_of_line(line: bytes) -> None:
    TypeAdapter(ExportLine | OcsfLine).validate_json(line)
    if b"checkpoint" in line:
        CheckpointLine.model_validate_json(line)


def test_every_boolean_and_number_of_a_body_takes_only_its_own_json_type() -> None:
    assert loose_scalars(create_app(_settings())) == [], "use StrictBool, StrictInt or StrictFloat"
