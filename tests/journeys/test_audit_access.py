"""Who reaches the audit API. A compliance officer of another organisation sees nothing of this
one: every route answers with their own organisation's trail, empty of this one's records,
and a purge of theirs leaves this one's alone. Every other role is refused on every route but
the one where a person asks who has read their own data, and bad input anywhere is a 4xx
problem, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest

from interlude.audit.testing import RunningAudit
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.shared.testing.routes import Call, calls

PUBLIC = {"/v1/audit/keys"}
OWN = "/v1/audit/my-data/"  # every signed-in person asks about themselves
# what a stranger's own call answers where it is not a 200: their own export is made; another
# one's id finds nothing
ANSWERS = {("POST", "/v1/audit/my-data/exports"): 201,
           ("GET", "/v1/audit/my-data/exports/{export_id}"): 404,
           ("GET", "/v1/audit/my-data/exports/{export_id}/archive"): 404}
BODIES = {"/v1/audit/purges": {"reason": "retention"}, "/v1/audit/my-data/exports": {}}


def path_of(call: Call) -> str:
    """The call's path, an id in place of each parameter (one that names nothing here)."""
    return call.template.replace("{export_id}", "someone-elses-export")


def body_of(call: Call) -> dict[str, Any] | None:
    return BODIES.get(call.template) if call.takes_body else None


async def count(audit: RunningAudit, tenant: str) -> int:
    return int(await audit.admin.fetchval("SELECT count(*) FROM audit_records"
                                          " WHERE tenant_id = $1", tenant))


async def busy_organisation(identity: RunningIdentity,
                            audit: RunningAudit) -> tuple[Person, list[Person]]:
    """Northwind with people in every role, its trail recorded and signed."""
    admin = await identity.organisation("Northwind")
    people = [admin] + [await identity.member(admin, role, name=f"{role.title()} Person")
                        for role in ("coach", "coachee", "sponsor", "compliance_officer")]

    async def recorded() -> bool:
        # all of it, not only some: a member's events chained after the test counted the
        # trail would look like records a stranger's calls added
        actions = [r["action"] for r in await audit.admin.fetch(
            "SELECT action FROM audit_records WHERE tenant_id = $1", admin.tenant_id)]
        return actions.count("identity.UserActivated") == len(people) - 1 \
            and "identity.login" in actions

    await eventually(recorded, timeout=10)
    await audit.checkpointer.sign_now(admin.tenant_id)
    return admin, people


async def test_an_officer_of_another_organisation_sees_nothing_of_this_one(
        identity: RunningIdentity, audit: RunningAudit) -> None:
    admin, people = await busy_organisation(identity, audit)
    before = await count(audit, admin.tenant_id)
    elsewhere = await identity.organisation("Elsewhere")
    stranger = await identity.member(elsewhere, "compliance_officer", name="Otto Officer")
    ours = {admin.tenant_id, *(p.user_id for p in people)}

    checked = 0
    for call in calls(audit.app):
        response = await audit.client.request(call.method, path_of(call),
                                              headers=stranger.headers, json=body_of(call))
        assert response.status_code == ANSWERS.get((call.method, call.template), 200), (
            call, response.text)
        assert not any(secret in response.text for secret in ours), call
        checked += 1
    assert checked == len(calls(audit.app)) >= 5

    found = (await audit.client.get("/v1/audit/records", headers=stranger.headers)).json()
    assert {r["tenant_id"] for r in found["records"]} <= {elsewhere.tenant_id}
    verified = (await audit.client.get("/v1/audit/verify", headers=stranger.headers)).json()
    assert verified["ok"]
    assert await count(audit, admin.tenant_id) == before  # their purge left ours alone
    export = (await audit.client.get("/v1/audit/export", headers=stranger.headers)).text
    assert json.loads(export.splitlines()[0])["tenant_id"] == elsewhere.tenant_id


async def test_every_other_role_is_refused_and_no_token_is_unauthenticated(
        identity: RunningIdentity, audit: RunningAudit) -> None:
    _, people = await busy_organisation(identity, audit)
    others = [p for p in people if "compliance_officer" not in p.roles]
    assert sorted(r for p in others for r in p.roles) == ["coach", "coachee", "org_admin",
                                                           "sponsor"]
    checked = 0
    for call in calls(audit.app):
        if call.template in PUBLIC:
            continue
        for who in others if not call.template.startswith(OWN) else ():
            response = await audit.client.request(call.method, path_of(call),
                                                  headers=who.headers, json=body_of(call))
            assert response.status_code == 403, (call, who.roles, response.text)
            assert response.json()["type"].endswith("role-required")
            checked += 1
        anonymous = await audit.client.request(call.method, path_of(call), json=body_of(call))
        assert anonymous.status_code == 401, (call, anonymous.text)
    assert checked >= 16


BAD_BODIES = {
    "not JSON": b"{not json",
    "a list": b"[1, 2, 3]",
    "wrong types": json.dumps({"reason": {"nested": [1]}}).encode(),
    "empty reason": b'{"reason": ""}',
    "too long": json.dumps({"reason": "x" * 501}).encode(),
    "control characters": b'{"reason": "a\\u0000b"}',
    "unknown field": b'{"reason": "r", "retention_days": 1}',
    "huge": b'{"reason": "' + b"x" * 300_000 + b'"}',
}
BAD_QUERIES = ("?limit=-1&cursor=-5&since=abc&until=yesterday&order=sideways&outcome=maybe"
               "&format=xml&actor=" + "x" * 201)


async def test_bad_input_anywhere_is_a_4xx_problem(identity: RunningIdentity,
                                                   audit: RunningAudit) -> None:
    admin, people = await busy_organisation(identity, audit)
    officer = next(p for p in people if "compliance_officer" in p.roles)
    before = await count(audit, admin.tenant_id)
    checked = 0
    for call in calls(audit.app):
        for what, body in BAD_BODIES.items():
            response = await audit.client.request(
                call.method, path_of(call) + BAD_QUERIES, content=body,
                headers={**officer.headers, "Content-Type": "application/json"})
            if not call.takes_body and response.status_code == 200:
                continue  # a route without a body ignores one, and unknown parameters
            assert 400 <= response.status_code < 500, (call, what, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["type"].startswith("urn:interlude:problem:")
            checked += 1
    assert checked >= 20
    assert await count(audit, admin.tenant_id) >= before  # nothing purged by a bad request
    verified = (await audit.client.get("/v1/audit/verify", headers=officer.headers)).json()
    assert verified["ok"]


@pytest.mark.parametrize("query", [
    "/v1/audit/records?since=0001-01-01T00:00:00%2B14:00",  # before the first UTC instant
    "/v1/audit/records?until=9999-12-31T23:59:59-14:00",  # after the last one
    "/v1/audit/records?cursor=9223372036854775808",  # past a 64-bit integer
    "/v1/audit/my-data/accesses?cursor=9223372036854775808",
    "/v1/audit/records?until=0.5",  # a number, which pydantic read as seconds since 1970
])
async def test_instants_and_cursors_out_of_range_are_422_problems(
        identity: RunningIdentity, audit: RunningAudit, query: str) -> None:
    # found by tests/fuzz/test_probes.py: each was a 500 (Python's datetime cannot hold the
    # instant in UTC; PostgreSQL's bigint cannot hold the cursor); the last, by the fuzzer's
    # negative_data_rejection (seed 5), was taken for 1970 where the OpenAPI says date-time
    officer = await identity.member(await identity.organisation(), "compliance_officer")
    response = await audit.client.get(query, headers=officer.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:interlude:problem:validation"
    name = query.split("?")[1].split("=")[0]
    assert response.json()["errors"][0]["location"] == f"query.{name}"
