"""engagement's /openapi.json describes every answer: a response model for success, and the
problems (RFC 9457) a route may answer, so a client or a fuzzer knows every status it can get."""

from __future__ import annotations

from typing import Any

import httpx

from interlude.engagement.main import create_app
from interlude.shared.http.problems import MEDIA_TYPE
from interlude.shared.kit import loose_scalars

PUBLIC = {"/v1/calendar/{token}.ics"}  # the URL is the credential: no token, no 401


async def _spec() -> dict[str, Any]:
    app = create_app()  # the schema needs no servers: the lifespan is not run
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://engagement.test") as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200
    spec: dict[str, Any] = response.json()
    return spec


def _described(schema: dict[str, Any]) -> bool:
    """A named model, or a plain type: not a free-form object (a hand-built dict)."""
    return "$ref" in schema or schema.get("type") in ("string", "array")


def _gaps(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    where, responses = f"{method.upper()} {path}", operation["responses"]
    gaps = []
    success = {code: r for code, r in responses.items() if code.startswith("2")}
    if not success:
        gaps.append(f"{where}: no success response")
    for code, response in success.items():
        schemas = [c.get("schema", {}) for c in response.get("content", {}).values()]
        if not schemas or not all(_described(s) for s in schemas):
            gaps.append(f"{where}: {code} has no response model")
    expected = {"503"} | (set() if path in PUBLIC else {"401"})
    if operation.get("parameters") or operation.get("requestBody"):
        expected.add("422")
    if missing := expected - set(responses):
        gaps.append(f"{where}: problems {sorted(missing)} undeclared")
    for code, response in responses.items():
        if code[0] in "45" and set(response.get("content", {})) != {MEDIA_TYPE}:
            gaps.append(f"{where}: {code} is not declared as {MEDIA_TYPE}")
    return gaps


async def test_every_route_declares_its_response_model_and_its_problems() -> None:
    spec = await _spec()
    operations = [(path, method, op) for path, ops in spec["paths"].items()
                  for method, op in ops.items()]
    assert len(operations) > 20  # the routers are all there
    gaps = [gap for operation in operations for gap in _gaps(*operation)]
    assert gaps == []


def test_every_boolean_and_number_of_a_body_takes_only_its_own_json_type() -> None:
    assert loose_scalars(create_app()) == [], "use StrictBool, StrictInt or StrictFloat"
