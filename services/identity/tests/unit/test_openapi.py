"""identity's /openapi.json describes every answer of every route: its success with a response
model (or a redirect's Location, or no content), and the problems it can give, as RFC 9457
problems (or, under /scim/v2, SCIM's own error messages); SCIM's bodies are described, so a
client generator or a fuzzer can reach them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from interlude.identity.main import create_app
from interlude.shared.kit import loose_scalars

SCIM = "/scim/v2"
PROBLEM, SCIM_JSON = "application/problem+json", "application/scim+json"
PROBLEM_FIELDS, SCIM_ERROR_FIELDS = {"type", "title", "status", "detail"}, {"schemas", "status"}


@pytest.fixture(scope="module")
async def document() -> dict[str, Any]:
    """The document as a client fetches it (no lifespan needed: it describes, it serves not)."""
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://identity.test") as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, operation)
            for path, operations in document["paths"].items()
            for method, operation in operations.items()]


def _schema(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def _success_faults(document: dict[str, Any], responses: dict[str, Any]) -> list[str]:
    successes = {s: r for s, r in responses.items() if s[0] in "23"}
    if not successes:
        return ["no success answer"]
    faults = []
    for status, response in successes.items():
        if status == "204":
            continue
        if status.startswith("3"):
            if "Location" not in response.get("headers", {}):
                faults.append(f"{status} without its Location")
            continue
        schemas = [_schema(document, c.get("schema", {}))
                   for c in response.get("content", {}).values()]
        if not schemas or not all(s.get("properties") or s.get("items") for s in schemas):
            faults.append(f"{status} without a response model")
    return faults


def _problem_faults(document: dict[str, Any], path: str, operation: dict[str, Any]) -> list[str]:
    responses = operation["responses"]
    media, fields = (SCIM_JSON, SCIM_ERROR_FIELDS) if path.startswith(SCIM) else (
        PROBLEM, PROBLEM_FIELDS)
    problems = {s: r for s, r in responses.items() if s[0] in "45"}
    faults = [] if "503" in problems else ["its problem answers are not declared"]
    for status, response in problems.items():
        content = response.get("content", {})
        schema = _schema(document, content.get(media, {}).get("schema", {}))
        if list(content) != [media] or not fields <= set(schema.get("properties", {})):
            faults.append(f"{status} is not described as {media}")
    takes_input = operation.get("requestBody") or any(
        p["in"] in ("query", "header") for p in operation.get("parameters", []))
    invalid = "400" if path.startswith(SCIM) else "422"
    if takes_input and invalid not in problems:
        faults.append(f"invalid input ({invalid}) is not declared")
    return faults


async def test_every_route_declares_its_response_model_and_its_problems(
        document: dict[str, Any]) -> None:
    faults = {f"{method} {path}": found for method, path, operation in _operations(document)
              if (found := _success_faults(document, operation["responses"])
                  + _problem_faults(document, path, operation))}
    assert faults == {}
    assert len(_operations(document)) >= 40  # every route is in the document


async def test_scim_bodies_are_described_in_scims_media_type(document: dict[str, Any]) -> None:
    writes = [(method, path, operation) for method, path, operation in _operations(document)
              if path.startswith(SCIM) and method in ("POST", "PUT", "PATCH")]
    assert len(writes) == 6
    for method, path, operation in writes:
        body = operation.get("requestBody", {}).get("content", {}).get(SCIM_JSON, {})
        properties = body.get("schema", {}).get("properties", {})
        wanted = {"Operations"} if method == "PATCH" else {"schemas", "externalId"}
        assert wanted <= set(properties), f"{method} {path}"


def test_every_boolean_and_number_of_a_body_takes_only_its_own_json_type() -> None:
    assert loose_scalars(create_app()) == [], "use StrictBool, StrictInt or StrictFloat"
