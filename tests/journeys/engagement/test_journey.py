"""A whole engagement through the HTTP API on the real stack (NATS, PostgreSQL, identity's
tokens): propose, sign, sessions, check-ins, messages up to the allowance, a consent withdrawn,
the end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity

from .journey import expect, propose, sign_all


async def test_a_whole_engagement(identity: RunningIdentity,
                                  engagement: RunningEngagement) -> None:
    api = engagement.client
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    coachee = await identity.member(admin, "coachee", name="Amira Haddad")
    sponsor = await identity.member(admin, "sponsor", name="Sam Sponsor")

    contract_id = await propose(engagement, coach, coachee, sponsor)
    path = f"/v1/contracts/{contract_id}"
    proposed = await expect(await api.get(path, headers=coachee.headers), 200)
    assert proposed["status"] == "proposed"
    assert set(proposed["awaiting_signature_from"]) == {coach.user_id, coachee.user_id,
                                                         sponsor.user_id}
    # nothing may happen between sessions before every party has signed
    refused = await api.post(f"{path}/check-ins", headers=coachee.headers, json={"text": "hi"})
    assert refused.status_code == 409, refused.text

    await sign_all(engagement, contract_id, coach, coachee)
    assert (await expect(await api.get(path, headers=coach.headers), 200))["status"] == "proposed"
    await sign_all(engagement, contract_id, sponsor)
    active = await expect(await api.get(path, headers=coach.headers), 200)
    assert active["status"] == "active" and active["terms_version"] == 1

    # sessions: one held, one planned
    past = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    future = (datetime.now(UTC) + timedelta(days=12)).isoformat()
    first = await expect(await api.post(f"{path}/sessions", headers=coach.headers,
                                        json={"starts_at": past}), 201)
    await expect(await api.post(f"{path}/sessions/{first['id']}/held", headers=coach.headers),
                 200)
    await expect(await api.post(f"{path}/sessions", headers=coachee.headers,
                                json={"starts_at": future, "mode": "phone"}), 201)
    plan = await expect(await api.get(f"{path}/sessions", headers=coachee.headers), 200)
    assert (plan["planned"], plan["held"], plan["scheduled"]) == (6, 1, 1)

    # a check-in, acknowledged with a like and a question
    checkin = await expect(await api.post(f"{path}/check-ins", headers=coachee.headers, json={
        "text": "Said no to the extra project, kindly.", "mood": 4, "small_win": True}), 201)
    await expect(await api.post(f"{path}/check-ins/{checkin['id']}/acknowledgements",
                                headers=coach.headers, json={"kind": "like"}), 200)
    asked = await expect(await api.post(
        f"{path}/check-ins/{checkin['id']}/acknowledgements", headers=coach.headers,
        json={"kind": "question", "question": "What made it possible this time?"}), 200)
    seen = await expect(await api.get(f"{path}/check-ins?after={asked['position']}",
                                      headers=coach.headers), 200)
    [item] = seen["check_ins"]
    assert item["text"] == "Said no to the extra project, kindly."
    assert item["liked"] and item["small_win"] and item["mood"] == 4
    assert [q["text"] for q in item["questions"]] == ["What made it possible this time?"]

    # messages: the coach has four replies this month; the fifth is refused with the renewal
    await expect(await api.post(f"{path}/messages", headers=coachee.headers,
                                json={"body": "Can we talk about Friday?"}), 201)
    for n in range(4):
        await expect(await api.post(f"{path}/messages", headers=coach.headers,
                                    json={"body": f"reply {n}"}), 201)
    refused = await api.post(f"{path}/messages", headers=coach.headers, json={"body": "one more"})
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"].endswith("message-allowance-exhausted")
    assert problem["allowance"] == 4 and problem["used"] == 4
    renews = datetime.fromisoformat(problem["renews_at"])
    assert renews.day == 1 and renews > datetime.now(UTC)
    assert renews.strftime("%Y-%m-%d") in problem["detail"]
    # the coachee may still write, and both sides see the counter
    last = await expect(await api.post(f"{path}/messages", headers=coachee.headers,
                                       json={"body": "Thanks!"}), 201)
    thread = await expect(await api.get(f"{path}/messages?after={last['position']}",
                                        headers=coachee.headers), 200)
    assert [m["body"] for m in thread["messages"]][-1] == "Thanks!"
    assert thread["allowance"]["remaining"] == 0 and thread["allowance"]["used"] == 4
    await expect(await api.post(f"{path}/messages/read", headers=coach.headers,
                                json={"up_to": 6}), 200)

    # a consent withdrawn is gone at once
    assert (await expect(await api.get(path, headers=coachee.headers), 200)
            )["consents"]["pin_insights"] is True
    await expect(await api.delete(f"{path}/consents/pin_insights", headers=coachee.headers), 200)
    assert (await expect(await api.get(path, headers=coach.headers), 200)
            )["consents"]["pin_insights"] is False

    # the end: nothing more between sessions
    await expect(await api.post(f"{path}/ending", headers=coachee.headers,
                                json={"reason": "moving on"}), 200)
    assert (await expect(await api.get(path, headers=coach.headers), 200))["status"] == "ended"
    after_end = await api.post(f"{path}/check-ins", headers=coachee.headers, json={"text": "x"})
    assert after_end.status_code == 409
