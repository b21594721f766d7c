"""Sending a bad value in each field of every request, as each caller of an organisation in
turn, until one is refused with a 422 problem naming the field (a caller may be stopped
earlier, by a missing role, before the body is read)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.shared.testing.routes import PARAM

from .fields import TextField, put

Caller = tuple[dict[str, str], dict[str, str]]


async def _request(client: httpx.AsyncClient, field: TextField, url: str, value: Any,
                   headers: dict[str, str]) -> httpx.Response:
    if field.where == "query":
        return await client.request(field.method, url, headers=headers,
                                    params={str(field.path[0]): value})
    if field.where == "form":
        return await client.request(field.method, url, headers=headers,
                                    data={str(field.path[0]): value})
    # escaped as JSON does (\ud800): httpx's own encoder cannot write half a surrogate pair
    return await client.request(field.method, url, content=json.dumps(put({}, field.path, value)),
                                headers={**headers, "Content-Type": "application/json"})


def _names(response: httpx.Response, field: TextField) -> bool:
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["type"] == "urn:interlude:problem:validation", problem
    return any(e["location"] == field.location for e in problem["errors"])


async def refused(client: httpx.AsyncClient, field: TextField, value: Any,
                  callers: list[Caller]) -> list[int]:
    """The statuses each caller got, until one is refused with the field named (a caller may
    be stopped earlier, by a missing role, before the body is read)."""
    statuses = []
    for headers, ids in callers:
        url = PARAM.sub(lambda m, ids=ids: ids.get(m.group(1), "nosuchthing1"),
                        field.template)
        response = await _request(client, field, url, value, headers)
        statuses.append(response.status_code)
        assert response.status_code < 500 and not 200 <= response.status_code < 300, (
            field.name, response.status_code, response.text)
        if response.status_code == 422 and _names(response, field):
            return statuses
    raise AssertionError(f"{field.name} was never refused naming the field: {statuses}")


async def callers(identity: RunningIdentity, *services: Any) -> list[Caller]:
    """An org_admin, a coach, a coachee, a compliance officer, a service and no one, once
    ``services`` (RunningEngagement, RunningCommunity...) know their organisation's policy."""
    admin = await identity.organisation("Northwind")
    people: list[Person] = [admin] + [await identity.member(admin, role) for role in (
        "coach", "coachee", "compliance_officer")]
    for service in services:  # their routes refuse an organisation they do not know the
        trust = service.app.state.trust  # policy of (fail closed)
        await eventually(lambda t=trust: t.cache.policy_version(admin.tenant_id) is not None,
                         timeout=10, what="the organisation's policy known")
    found = [(p.headers, {"org_id": p.tenant_id, "user_id": p.user_id}) for p in people]
    return [*found, (await identity.service_headers(), {}), ({}, {})]
