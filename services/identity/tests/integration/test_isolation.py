"""Tenant isolation: a person of organisation A gets 404, and nothing else, for every resource
of organisation B, whatever their roles."""

from __future__ import annotations

from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.routes import calls

SCIM = "urn:ietf:params:scim:schemas:core:2.0:"

# public by design: any organisation's single sign-on starts here, before anyone is signed in
PUBLIC = {"/v1/organisations/{org_id}/sso/login"}


def valid_body(template: str) -> dict:
    """A body that passes validation, so that only the organisation decides the answer."""
    if template.startswith("/scim/v2/Groups"):
        return {"schemas": [SCIM + "Group"], "displayName": "coach"}
    if template.startswith("/scim/v2/Users"):
        return {"schemas": [SCIM + "User"], "userName": "someone@example.org", "active": True}
    return {}


async def test_every_route_of_another_organisation_answers_404(
        identity: RunningIdentity) -> None:
    org_b = await identity.organisation("Beta Corp")
    person_b = await identity.member(org_b, "coachee", name="Bea Beta")
    scim_b = await identity.client.post(f"/v1/organisations/{org_b.tenant_id}/scim-tokens",
                                        headers=org_b.headers, json={"label": "directory"})
    assert scim_b.status_code == 201, scim_b.text

    org_a = await identity.organisation("Alpha Ltd")
    for role in ("compliance_officer", "coach"):
        await identity.client.post(f"/v1/organisations/{org_a.tenant_id}/users/"
                                   f"{org_a.user_id}/roles", headers=org_a.headers,
                                   json={"role": role})
    admin_a = await identity.sign_in(org_a.email)  # a fresh token with every role
    coachee_a = await identity.member(org_a, "coachee")
    scim_a = await identity.client.post(f"/v1/organisations/{org_a.tenant_id}/scim-tokens",
                                        headers=admin_a.headers, json={"label": "directory"})
    scim_a_headers = {"Authorization": f"Bearer {scim_a.json()['token']}"}

    values = {"org_id": org_b.tenant_id, "user_id": person_b.user_id,
              "token_id": scim_b.json()["id"], "role": "coachee", "*": person_b.user_id}
    secrets = (person_b.email, "Bea Beta", "Beta Corp", org_b.email)
    checked = 0
    for call in calls(identity.app):
        if call.template in PUBLIC:
            continue
        url = call.url(values)
        if call.template.startswith("/scim/") and call.params:
            callers = [scim_a_headers]
        elif "org_id" in call.params:
            callers = [admin_a.headers, coachee_a.headers]
        else:
            continue  # nothing of organisation B's in the address
        for headers in callers:
            response = await identity.client.request(call.method, url, headers=headers,
                                                     json=valid_body(call.template))
            assert response.status_code == 404, (call, response.status_code, response.text)
            assert not any(s in response.text for s in secrets), (call, response.text)
            checked += 1
    assert checked >= 20
