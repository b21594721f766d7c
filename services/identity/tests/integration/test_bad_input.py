"""Bad input on every route is a 4xx problem, never a 500, and nothing accepted is lost."""

from __future__ import annotations

import json

from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.routes import calls

BODIES = {
    "not JSON": b"{not json",
    "a list": b"[1, 2, 3]",
    "wrong types": json.dumps({k: {"nested": [1]} for k in (
        "email", "password", "name", "changes", "reason", "roles", "role", "token",
        "refresh_token", "display_name", "admin_email", "admin_password", "issuer",
        "client_id", "client_secret", "allowed_domains", "label", "subject_id", "code",
        "ticket", "otp", "userName", "schemas", "Operations", "members")}).encode(),
    "huge": b'{"name": "' + b"x" * 400_000 + b'"}',
    "null bytes": b'{"email": "a\\u0000@example.org", "password": "\\u0000"}',
}
QUERIES = "?limit=-1&offset=abc&after=-5&startIndex=zero&count=1e99&filter=%22%22%20eq"


async def test_bad_input_anywhere_is_a_4xx_problem(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    member = await identity.member(admin, "coachee")
    scim = await identity.client.post(f"/v1/organisations/{admin.tenant_id}/scim-tokens",
                                      headers=admin.headers, json={"label": "directory"})
    values = {"org_id": admin.tenant_id, "user_id": member.user_id,
              "token_id": scim.json()["id"], "role": "coachee", "*": member.user_id}
    scim_headers = {"Authorization": f"Bearer {scim.json()['token']}"}
    checked = 0
    for call in calls(identity.app):
        headers = scim_headers if call.template.startswith("/scim/") else admin.headers
        url = call.url(values)
        for what, body in BODIES.items():
            response = await identity.client.request(
                call.method, url + QUERIES, content=body,
                headers={**headers, "Content-Type": "application/json"})
            assert 400 <= response.status_code < 500 or response.status_code in (
                200, 201, 202, 204, 302, 303), (call, what, response.status_code, response.text)
            assert response.status_code != 500
            if response.status_code >= 400:
                assert response.headers["content-type"].startswith(
                    ("application/problem+json", "application/scim+json")), (call, what)
            checked += 1
    assert checked > 100
    # the organisation and the member are still there, untouched
    assert await identity.sign_in_status(member.email) == 200
