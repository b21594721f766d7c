"""Contract rules a coach and coachee notice: amendments need every signature, one open contract
per coach and coachee, a retried request is applied once, per-message billing."""

from __future__ import annotations

from interlude.engagement.testing import RunningEngagement, terms
from interlude.identity.testing import RunningIdentity

from .journey import active_contract, expect, propose


async def test_an_amendment_applies_once_every_party_signed_it(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    cast = await active_contract(identity, engagement)
    api, path = engagement.client, f"/v1/contracts/{cast.contract_id}"
    new_terms = terms(allowance={"kind": "monthly", "replies_per_month": 10,
                                 "reply_window_hours": 24})
    await expect(await api.post(f"{path}/amendments", headers=cast.coachee.headers,
                                json={"terms": new_terms}), 201)
    pending = await expect(await api.get(path, headers=cast.coach.headers), 200)
    assert pending["terms"]["allowance"]["replies_per_month"] == 4  # still the signed terms
    assert pending["pending_version"] == 2 and pending["status"] == "active"
    stale = await api.post(f"{path}/signatures", headers=cast.coach.headers,
                           json={"terms_version": 1})
    assert stale.status_code == 409 and "version 2" in stale.json()["detail"]
    for person in (cast.coach, cast.coachee, cast.sponsor):
        await expect(await api.post(f"{path}/signatures", headers=person.headers,
                                    json={"terms_version": 2}), 200)
    amended = await expect(await api.get(path, headers=cast.coach.headers), 200)
    assert amended["terms"]["allowance"]["replies_per_month"] == 10
    assert amended["terms_version"] == 2 and amended["pending_terms"] is None


async def test_one_open_contract_per_coach_and_coachee(identity: RunningIdentity,
                                                       engagement: RunningEngagement) -> None:
    cast = await active_contract(identity, engagement)
    body = {"coachee_id": cast.coachee.user_id, "terms": terms()}
    second = await engagement.client.post("/v1/contracts", headers=cast.coach.headers, json=body)
    assert second.status_code == 409
    assert second.json()["type"].endswith("contract-already-open")
    assert second.json()["contract_id"] == cast.contract_id
    other_coach = await identity.member(cast.admin, "coach")
    await propose(engagement, other_coach, cast.coachee)  # another coach may
    await expect(await engagement.client.post(f"/v1/contracts/{cast.contract_id}/ending",
                                              headers=cast.coach.headers, json={}), 200)
    await propose(engagement, cast.coach, cast.coachee)  # and after the end, a new one


async def test_only_a_coach_proposes_and_only_to_a_coachee_of_the_organisation(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    admin = await identity.organisation()
    coach = await identity.member(admin, "coach")
    coachee = await identity.member(admin, "coachee")
    sponsor = await identity.member(admin, "sponsor")
    elsewhere = await identity.member(await identity.organisation("Other"), "coachee")
    api = engagement.client
    refused = await api.post("/v1/contracts", headers=coachee.headers,
                             json={"coachee_id": coachee.user_id, "terms": terms()})
    assert refused.status_code == 403
    for who in (sponsor, elsewhere):
        response = await api.post("/v1/contracts", headers=coach.headers,
                                  json={"coachee_id": who.user_id, "terms": terms()})
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "coachee_id"


async def test_a_retried_post_is_applied_once(identity: RunningIdentity,
                                              engagement: RunningEngagement) -> None:
    cast = await active_contract(identity, engagement)
    path = f"/v1/contracts/{cast.contract_id}/check-ins"
    headers = {**cast.coachee.headers, "Idempotency-Key": "retry-1"}
    first = await expect(await engagement.client.post(path, headers=headers,
                                                      json={"text": "once"}), 201)
    again = await expect(await engagement.client.post(path, headers=headers,
                                                      json={"text": "once"}), 201)
    assert again == first
    listed = await expect(await engagement.client.get(f"{path}?after={first['position']}",
                                                      headers=cast.coach.headers), 200)
    assert [c["text"] for c in listed["check_ins"]] == ["once"]


async def test_per_message_billing_accepts_and_counts_replies(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    cast = await active_contract(identity, engagement, allowance={
        "kind": "per_message", "replies_per_month": None, "reply_window_hours": 24})
    path = f"/v1/contracts/{cast.contract_id}/messages"
    last = {}
    for n in range(6):
        last = await expect(await engagement.client.post(
            path, headers=cast.coach.headers, json={"body": f"reply {n}"}), 201)
    thread = await expect(await engagement.client.get(f"{path}?after={last['position']}",
                                                      headers=cast.coachee.headers), 200)
    assert thread["allowance"] == {"kind": "per_message", "used": 6, "billable": 6,
                                   "reply_window_hours": 24}
    assert all(m["billable"] for m in thread["messages"])


async def test_a_channel_not_agreed_is_refused(identity: RunningIdentity,
                                               engagement: RunningEngagement) -> None:
    cast = await active_contract(identity, engagement,
                                 channels={"checkins": True, "messaging": False})
    refused = await engagement.client.post(f"/v1/contracts/{cast.contract_id}/messages",
                                           headers=cast.coachee.headers, json={"body": "hi"})
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("channel-not-agreed")


async def test_after_the_end_the_channels_are_not_read_and_the_openapi_says_so(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    # found by the fuzzer (seed 7): an ended contract's check-ins and messages answered a 409
    # their OpenAPI did not declare
    cast = await active_contract(identity, engagement)
    path = f"/v1/contracts/{cast.contract_id}"
    await expect(await engagement.client.post(f"{path}/ending", headers=cast.coach.headers,
                                              json={}), 200)
    spec = (await engagement.client.get("/openapi.json")).json()
    for read in ("/check-ins?after=0&before=2000-01-01T00%3A00%3A00Z",
                 "/messages?after=0&limit=100"):
        response = await engagement.client.get(path + read, headers=cast.coach.headers)
        assert response.status_code == 409, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "this contract has ended"
        template = "/v1/contracts/{contract_id}" + read.split("?")[0]
        assert "409" in spec["paths"][template]["get"]["responses"]
