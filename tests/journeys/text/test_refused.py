"""Every string of every request body of every service (and every free-text query parameter),
found in the services' OpenAPI documents, refuses a NUL, another control character and half a
surrogate pair with a 422 problem naming the field: text the read side cannot store is never
accepted, so no projection can lose it afterwards."""

from __future__ import annotations

import json

import httpx
import pytest

from interlude.audit.testing import RunningAudit
from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.shared.testing.routes import PARAM

from .fields import TextField, put, text_fields
from .kept import dead_letters, settled

BAD = {"NUL": "a\u0000b", "a control character": "a\u0007b", "DEL": "a\u007fb",
       "half a surrogate pair": "a\ud800b"}
# strings that are neither free text (interlude.shared.text) nor constrained by a pattern, a
# choice or a format in the schema, and why they are safe
CHECKED_OTHERWISE = {("terms", "quiet_hours", "timezone"): "an IANA zone name, looked up in the "
                     "zone database (which refuses control characters)"}


def _apps(identity: RunningIdentity, engagement: RunningEngagement,
          community: RunningCommunity, audit: RunningAudit) -> dict[str, httpx.AsyncClient]:
    return {"identity": identity.client, "engagement": engagement.client,
            "community": community.client, "audit": audit.client}


def _fields(identity: RunningIdentity, engagement: RunningEngagement,
            community: RunningCommunity, audit: RunningAudit) -> list[TextField]:
    return [f for service, app in (("identity", identity.app), ("engagement", engagement.app),
                                   ("community", community.app), ("audit", audit.app))
            for f in text_fields(service, app)]


async def _request(client: httpx.AsyncClient, field: TextField, url: str, value: str,
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


async def _refused(client: httpx.AsyncClient, field: TextField, value: str,
                   callers: list[tuple[dict[str, str], dict[str, str]]]) -> list[int]:
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


async def _callers(identity: RunningIdentity, engagement: RunningEngagement,
                   community: RunningCommunity) -> list[tuple[dict[str, str], dict[str, str]]]:
    admin = await identity.organisation("Northwind")
    people: list[Person] = [admin] + [await identity.member(admin, role) for role in (
        "coach", "coachee", "compliance_officer")]
    for service in (engagement, community):  # their routes refuse an organisation they do not
        trust = service.app.state.trust      # know the policy of (fail closed)
        await eventually(lambda t=trust: t.cache.policy_version(admin.tenant_id) is not None,
                         timeout=10, what="the organisation's policy known")
    callers = [(p.headers, {"org_id": p.tenant_id, "user_id": p.user_id}) for p in people]
    return [*callers, (await identity.service_headers(), {}), ({}, {})]


@pytest.mark.slow
async def test_every_string_of_every_request_refuses_what_the_read_side_cannot_store(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity, audit: RunningAudit) -> None:
    fields = _fields(identity, engagement, community, audit)
    clients = _apps(identity, engagement, community, audit)
    callers = await _callers(identity, engagement, community)
    for field in fields:
        for what, value in BAD.items():
            if field.where != "json" and what == "half a surrogate pair":
                continue  # a form or a query is UTF-8 bytes, which cannot hold one
            try:
                await _refused(clients[field.service], field, value, callers)
            except AssertionError as failed:
                raise AssertionError(f"{what} in {field.name}: {failed}") from None
    await settled([identity.platform, engagement.platform, community.platform, audit.platform])
    assert await dead_letters(identity.platform) == []  # nothing got through to be lost
    walked = {(f.service, f.location) for f in fields}
    assert len(fields) > 60 and {
        ("community", "body.name"), ("engagement", "body.terms.programme"),
        ("identity", "body.display_name"), ("engagement", "body.attachments.0.filename"),
        ("audit", "query.actor"), ("identity", "body.client_secret")} <= walked, walked


def test_every_string_is_free_text_or_constrained(identity: RunningIdentity,
                                                  engagement: RunningEngagement,
                                                  community: RunningCommunity,
                                                  audit: RunningAudit) -> None:
    """A field typed plain ``str`` would take any text: each is either one of the shared free
    text types, or constrained by its schema, or checked otherwise for a stated reason."""
    loose = [f.name for f in _fields(identity, engagement, community, audit)
             if f.kind is None and not f.constrained and f.path not in CHECKED_OTHERWISE]
    assert loose == [], "use interlude.shared.text.SingleLine or MultiLine for these"
