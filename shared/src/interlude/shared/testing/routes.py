"""Walking every route of a service's API (as its OpenAPI document lists them): what a test needs
to call each one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

PARAM = re.compile(r"{(\w+)}")
INFRASTRUCTURE = {"/healthz", "/readyz", "/openapi.json", "/docs", "/docs/oauth2-redirect",
                  "/redoc"}


@dataclass(frozen=True)
class Call:
    method: str
    template: str
    takes_body: bool = False

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.template)

    def url(self, values: dict[str, str]) -> str:
        return PARAM.sub(lambda m: values.get(m.group(1), values["*"]), self.template)


def calls(app: FastAPI) -> list[Call]:
    """Every documented operation (the OpenAPI document is the list clients see)."""
    found: list[Call] = []
    for path, operations in app.openapi()["paths"].items():
        if path not in INFRASTRUCTURE:
            found.extend(Call(method.upper(), path, "requestBody" in operation)
                         for method, operation in sorted(operations.items()))
    return found


PROBLEM = "application/problem+json"
SUCCESS_TYPES = ("application/json", "text/event-stream")


def gaps(method: str, operation: dict[str, Any], problems: set[str]) -> list[str]:
    """What ``operation`` of an OpenAPI document leaves undescribed: one success answer with a
    named schema (JSON, or a stream of events), and each of ``problems`` (status codes) as an
    RFC 9457 problem."""
    responses: dict[str, Any] = operation["responses"]
    found = []
    success = [code for code in responses if code.startswith("2")]
    if len(success) != 1:
        found.append(f"one success answer, not {success}")
    for code in success:
        content = responses[code].get("content", {})
        schema = next((content[t]["schema"] for t in SUCCESS_TYPES if t in content), None)
        if not schema or "$ref" not in schema:
            found.append(f"a response model for {code}, not {schema}")
    for code in sorted(problems):
        if PROBLEM not in responses.get(code, {}).get("content", {}):
            found.append(f"the {code} problem")
    return found


def undescribed(paths: dict[str, Any], prefix: str, every_route: set[str],
                writes: set[str]) -> dict[str, list[str]]:
    """:func:`gaps` of every operation under ``prefix``: ``every_route`` problems for all,
    ``writes`` besides for all but GETs. Empty when everything is described."""
    return {f"{method.upper()} {path}": found for path, item in paths.items()
            if path.startswith(prefix) for method, operation in item.items()
            if (found := gaps(method, operation, every_route | (writes if method != "get"
                                                                  else set())))}


async def served_openapi(app: FastAPI, base_url: str) -> dict[str, Any]:
    """``/openapi.json`` as a client gets it (the lifespan is not run: no server is needed)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url=base_url) as client:
        answer = await client.get("/openapi.json")
    assert answer.status_code == 200
    return dict(answer.json())
