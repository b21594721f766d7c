"""What an attacker tries that schemathesis does not, on every route of every service, on the real
stack: ids far longer than any id or holding a NUL or bytes that are not UTF-8, bodies that are
not UTF-8, JSON nested deeper than the parser recurses, bodies over the limit, integers past 64
bits and instants at the edges of a datetime in the query, and another organisation's person
naming this one's ids. Each must get a client error as a problem (RFC 9457; SCIM's own errors
under /scim/v2), never a server error, and the stranger a 404 (never a 403 that confirms the
thing exists, never a 200).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from interlude.shared.testing.inprocess import served
from interlude.shared.testing.routes import Call, calls

from .targets import EXCLUDED, Target
from .test_schemathesis import SERVICES, STARTS, Env

pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"
ODD_IDS = {  # in every path parameter at once
    "long ids": "x" * 8_000,  # under the server's limit for a request line, far over any id
    "ids with a NUL": "a%00b",  # PostgreSQL's text cannot hold one
    "ids not UTF-8": "a%ff%fe",
    "ids with a lone surrogate": "a%ed%a0%80",
}
DEEP = 5_000  # levels of nesting: past Python's recursion limit, under every body limit
BODIES: dict[str, bytes] = {
    "not UTF-8": b'{"name": "\xff\xfe caf\xe9"}',
    "arrays nested deep": b"[" * DEEP + b"]" * DEEP,
    "objects nested deep": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "over the body limit": b'{"name": "' + b"x" * 2_000_000 + b'"}',
}


def _by_path(path: str, by_path: dict[str, str], default: str) -> str:
    return next((value for regex, value in by_path.items() if re.search(regex, path)), default)


def _refused(answer: httpx.Response, what: str, media_type: str) -> str:
    """Why ``answer`` is not a client error as a problem ("" if it is one)."""
    if not 400 <= answer.status_code < 500:
        return f"{what}: {answer.status_code} {answer.text[:300]}"
    if answer.headers.get("content-type") != media_type:
        return f"{what}: {answer.status_code} as {answer.headers.get('content-type')}"
    return ""


def _probed(service: str, target: Target) -> list[Call]:
    excluded = {name for name, _reason in EXCLUDED.get(service, ())}
    return [call for call in calls(target.app)
            if f"{call.method} {call.template}" not in excluded]


def _extremes(operation: dict[str, Any]) -> list[dict[str, str]]:
    """Query strings that put each integer or instant parameter at an extreme its schema
    allows: past a 64-bit integer, the first and last instants a datetime holds."""
    found = []
    for param in operation.get("parameters", ()):
        if param["in"] != "query":
            continue
        schemas = [param["schema"], *param["schema"].get("anyOf", ())]
        if any(s.get("type") == "integer" and "maximum" not in s for s in schemas):
            found.append({param["name"]: str(2**63)})
        if any(s.get("format") == "date-time" for s in schemas):
            found += [{param["name"]: "0001-01-01T00:00:00+14:00"},
                      {param["name"]: "9999-12-31T23:59:59-14:00"}]
    return found


async def _probe(client: httpx.AsyncClient, target: Target, call: Call,
                 operation: dict[str, Any]) -> list[str]:
    name = f"{call.method} {call.template}"
    token = _by_path(call.template, target.tokens_by_path, target.token)
    auth = {"Authorization": f"Bearer {token}"}
    media_type = _by_path(call.template, dict(target.error_media_types), PROBLEM)
    failures = []
    for what, odd in ODD_IDS.items() if call.params else ():
        answer = await client.request(call.method, call.url({"*": odd}), headers=auth)
        failures.append(_refused(answer, f"{name} {what}", media_type))
    own = call.url({**target.path, "*": "x"})
    for what, body in BODIES.items() if call.takes_body else ():
        answer = await client.request(call.method, own, content=body,
                                      headers={**auth, "Content-Type": "application/json"})
        failures.append(_refused(answer, f"{name} {what}", media_type))
    for params in _extremes(operation):
        answer = await client.request(call.method, own, params=params, headers=auth)
        if answer.status_code >= 500:
            failures.append(f"{name} {params}: {answer.status_code} {answer.text[:300]}")
    if target.stranger and call.params and set(call.params) <= set(target.path):
        stranger = _by_path(call.template, target.stranger_tokens_by_path, target.stranger)
        answer = await client.request(call.method, own,
                                      headers={"Authorization": f"Bearer {stranger}"},
                                      json={} if call.takes_body else None)
        if answer.status_code != 404:
            failures.append(f"{name} by a stranger: {answer.status_code} {answer.text[:300]}")
    return failures


@pytest.mark.timeout(300)
@pytest.mark.parametrize("service", SERVICES)
async def test_hostile_requests_are_refused_with_problems(service: str, nats_url: str,
                                                         postgres_dsn: str, namespace: str,
                                                         pg_schema: str) -> None:
    env = Env(nats_url, postgres_dsn, namespace, pg_schema)
    failures: list[str] = []
    async with env.stack:
        target = await STARTS[service](env)
        async with served(target.app, lifespan=False) as url, httpx.AsyncClient(
                base_url=url, timeout=30) as client:
            paths = target.app.openapi()["paths"]
            for call in _probed(service, target):
                operation = paths[call.template][call.method.lower()]
                failures += await _probe(client, target, call, operation)
    found = [failure for failure in failures if failure]
    assert not found, "\n".join(found)
