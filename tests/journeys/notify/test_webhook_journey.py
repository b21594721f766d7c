"""An organisation's webhooks over HTTP on the real stack: org admins only, within the
organisation's ``notify.channels``; the secret shown once; a coach's reply reaches the
organisation's receiver signed, without content or names; rotation over HTTP loses nothing;
another organisation's admin finds nothing (404); bad input is a 4xx problem."""

from __future__ import annotations

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.notify.outbound_testing import receiving
from interlude.notify.testing import RunningNotify
from interlude.shared.testing.eventually import eventually

from ..engagement.journey import active_contract, expect, set_policy
from .inbox import told
from .outbound import sending

PROBLEM = "application/problem+json"
HOOKS = "/v1/notify/webhooks"


async def test_an_organisations_webhook_gets_signed_content_free_deliveries(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement)
    api, admin = notify.client, cast.admin.headers
    refused = await api.post(HOOKS, headers=admin, json={"url": "https://x.example/h",
                                                         "kinds": ["coach_replied"]})
    assert refused.status_code == 403 and refused.json()["block"] == "notify.channels"
    await set_policy(identity, notify, cast.admin,
                     {"notify.channels": ["in_app", "email", "webhook"]})
    not_admin = await api.post(HOOKS, headers=cast.coach.headers,
                               json={"url": "https://x.example/h", "kinds": ["coach_replied"]})
    assert not_admin.status_code == 403

    async with receiving() as receiver, sending(notify):
        created = await expect(await api.post(HOOKS, headers=admin, json={
            "url": receiver.url, "kinds": ["coach_replied"]}), 201)
        receiver.secret = created["secret"]
        assert created["secret"].startswith("whsec_")
        listed = await expect(await api.get(HOOKS, headers=admin,
                                            params={"after": created["position"]}), 200)
        assert [w["id"] for w in listed["webhooks"]] == [created["id"]]
        assert "secret" not in str(listed) and created["secret"] not in str(listed)

        await expect(await engagement.client.post(
            f"/v1/contracts/{cast.contract_id}/messages", headers=cast.coach.headers,
            json={"body": "MARKER-W3 a private reply"}), 201)
        [reply] = await told(notify, cast.coachee, "coach_replied")
        await eventually(lambda: len(receiver.accepted) == 1, timeout=20,
                         what="the delivery received")
        [got] = receiver.accepted
        assert got["data"]["notification_id"] == reply["id"]
        assert "MARKER-W3" not in str(got) and "Claire" not in str(got)

        rotated = await expect(await api.post(f"{HOOKS}/{created['id']}/rotation",
                                              headers=admin), 201)
        assert rotated["secret"] != created["secret"]
        await expect(await engagement.client.post(
            f"/v1/contracts/{cast.contract_id}/messages", headers=cast.coach.headers,
            json={"body": "another"}), 201)
        await eventually(lambda: len(receiver.accepted) == 2, timeout=20,
                         what="a delivery verified with the old secret during the grace")
        receiver.secret = rotated["secret"]
        await expect(await engagement.client.post(
            f"/v1/contracts/{cast.contract_id}/messages", headers=cast.coach.headers,
            json={"body": "and another"}), 201)
        await eventually(lambda: len(receiver.accepted) == 3, timeout=20,
                         what="a delivery verified with the new secret")
        assert receiver.refused == 0

    dead = await expect(await api.get(f"{HOOKS}/dead-letters", headers=admin), 200)
    assert dead == {"deliveries": [], "next_before": None}
    removed = await expect(await api.delete(f"{HOOKS}/{created['id']}", headers=admin), 200)
    gone = await api.get(f"{HOOKS}/{created['id']}", headers=admin,
                         params={"after": removed["position"]})
    assert gone.status_code == 404 and gone.headers["content-type"] == PROBLEM


async def test_another_organisations_admin_finds_nothing_and_bad_input_is_refused(
        identity: RunningIdentity, notify: RunningNotify) -> None:
    admin = await identity.organisation("Northwind")
    await set_policy(identity, notify, admin, {"notify.channels": ["in_app", "webhook"]})
    other = await identity.organisation("Elsewhere")
    await set_policy(identity, notify, other, {"notify.channels": ["in_app", "webhook"]})
    api = notify.client
    mine = await expect(await api.post(HOOKS, headers=admin.headers, json={
        "url": "https://hooks.example/in", "kinds": ["coach_replied"]}), 201)
    path = f"{HOOKS}/{mine['id']}"
    for method, url, body in (("GET", path, None),
                              ("PATCH", path, {"kinds": ["post_shared"]}),
                              ("POST", f"{path}/rotation", None), ("DELETE", path, None),
                              ("POST", f"{HOOKS}/dead-letters/{mine['id']}/replay", None)):
        answer = await api.request(method, url, headers=other.headers, json=body)
        assert answer.status_code == 404, (method, url, answer.text)
        assert answer.headers["content-type"] == PROBLEM
    assert (await expect(await api.get(HOOKS, headers=other.headers), 200))["webhooks"] == []

    for body in ({"url": "ftp://x.example/", "kinds": ["coach_replied"]},
                 {"url": "https://x.example/", "kinds": []},
                 {"url": "https://x.example/", "kinds": ["nope"]},
                 {"url": "https://u:p@x.example/", "kinds": ["coach_replied"]},
                 {"url": "https://x.example/", "kinds": ["coach_replied"], "extra": 1},
                 {"url": "https://x.example/\u0000", "kinds": ["coach_replied"]},
                 {"kinds": ["coach_replied"]}):
        answer = await api.post(HOOKS, headers=admin.headers, json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"] == PROBLEM
    for params in ({"limit": 0}, {"limit": 101}, {"before": "yesterday"}):
        answer = await api.get(f"{HOOKS}/dead-letters", headers=admin.headers, params=params)
        assert answer.status_code == 422, (params, answer.text)
    live = await api.post(f"{HOOKS}/dead-letters/{'x' * 32}/replay", headers=admin.headers)
    assert live.status_code == 404
    bad = await api.patch(path, headers=admin.headers, json={"url": "not a url"})
    assert bad.status_code == 422
