"""The security policy: versioned, validated, changed only by an org_admin, published."""

from __future__ import annotations

import orjson

from interlude.identity.testing import RunningIdentity
from interlude.shared.eventstore.base import decode_commit


async def test_an_org_admin_changes_the_policy_and_the_change_is_published(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    url = f"/v1/organisations/{admin.tenant_id}/policy"
    before = await identity.client.get(url, headers=admin.headers)
    assert before.json()["version"] == 1
    assert before.json()["policy"]["notify.email_content"] == "none"  # confidential by default

    changed = await identity.client.patch(url, headers=admin.headers, json={
        "changes": {"community.enabled": False, "community.pseudonyms": "required"},
        "reason": "the works council asked for it"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    assert changed.json()["policy"]["community.enabled"] is False

    js = identity.platform.js
    stream = identity.platform.stream("identity")
    subject = stream.subject(admin.tenant_id, "organisation", admin.tenant_id)
    last = await js.get_last_msg(stream.name, subject)
    [event] = [e for e in decode_commit(last.data) if e.type == "identity.SecurityPolicyChanged"]
    assert event.payload["version"] == 2
    assert event.payload["changed_keys"] == ["community.enabled", "community.pseudonyms"]
    assert event.payload["reason"] == "the works council asked for it"
    assert event.actor.id == admin.user_id
    assert orjson.dumps(event.payload)  # plain JSON: every service can read it


async def test_a_bad_policy_change_names_the_key(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    url = f"/v1/organisations/{admin.tenant_id}/policy"
    cases = {"community.enbled": True, "notify.email_content": "everything",
             "data.retention_days": -1, "auth.mfa_required_roles": ["emperor"]}
    for key, value in cases.items():
        response = await identity.client.patch(url, headers=admin.headers, json={
            "changes": {key: value}, "reason": "typo"})
        assert response.status_code == 422, (key, response.text)
        assert response.json()["key"] == key
        assert key in response.json()["detail"]
    unchanged = await identity.client.get(url, headers=admin.headers)
    assert unchanged.json()["version"] == 1


async def test_a_policy_value_of_another_json_type_is_refused_not_read_as_meant(
        identity: RunningIdentity) -> None:
    # found by the fuzzer: 0 was taken for false, and "60" for 60
    admin = await identity.organisation()
    url = f"/v1/organisations/{admin.tenant_id}/policy"
    for key, value in {"community.enabled": 0, "messaging.enabled": "false",
                       "data.retention_days": "60", "notify.retention_days": 60.5}.items():
        response = await identity.client.patch(url, headers=admin.headers, json={
            "changes": {key: value}, "reason": "typo"})
        assert response.status_code == 422, (key, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["key"] == key
        assert response.json()["detail"].startswith(f"{key}: Input should be a valid")
    unchanged = await identity.client.get(url, headers=admin.headers)
    assert unchanged.json()["version"] == 1
    assert unchanged.json()["policy"]["community.enabled"] is True


async def test_only_an_org_admin_changes_the_policy(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    coach = await identity.member(admin, "coach", "compliance_officer")
    url = f"/v1/organisations/{admin.tenant_id}/policy"
    refused = await identity.client.patch(url, headers=coach.headers, json={
        "changes": {"messaging.enabled": False}, "reason": "I'd rather not"})
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:interlude:problem:role-required"
    readable = await identity.client.get(url, headers=coach.headers)
    assert readable.status_code == 200
