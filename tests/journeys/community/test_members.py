"""Who is in a space and under which name: the coach's reveal (with a reason, audited, the
member told) and who may not reveal; consents withdrawn in engagement taking effect at once;
the organisation's pseudonym rule; slow mode; leaving; erasure; a coaches' peer circle."""

from __future__ import annotations

import asyncio
from typing import Any

from interlude.audit.testing import RunningAudit
from interlude.community.testing import RunningCommunity
from interlude.community.wiring import VIEWS
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.notify.testing import RunningNotify
from interlude.shared.testing.eventually import eventually

from ..engagement.journey import expect
from ..notify.inbox import told as notify_told
from .cohort import cohort, create_space


async def test_only_the_coach_reveals_a_pseudonym_with_a_reason_audited_and_told(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity, audit: RunningAudit, notify: RunningNotify) -> None:
    group = await cohort(identity, engagement, community)
    api, amira = community.client, group.members["Amira Haddad"]
    reveal = f"{group.path}/members/{group.handles['Amira Haddad']}/reveal"
    body = {"reason": "a safeguarding concern in her last post"}
    other_coach = await identity.member(group.admin, "coach", name="Marcus Mentor")
    await create_space(community, other_coach)
    refused = {"peer": (group.members["Ben Okafor"], 403), "coach of another space":
               (other_coach, 404), "org_admin": (group.admin, 404)}
    for who, (person, status) in refused.items():
        response = await api.post(reveal, headers=person.headers, json=body)
        assert response.status_code == status, (who, response.text)
    assert (await api.post(reveal, headers=group.coach.headers, json={"reason": " "})
            ).status_code == 422

    revealed = await expect(await api.post(reveal, headers=group.coach.headers, json=body), 200)
    assert revealed["user_id"] == amira.user_id
    space = await expect(await api.get(group.path, headers=group.coach.headers,
                                       params={"after": revealed["position"]}), 200)
    shown = next(m for m in space["members"] if m["handle"] == group.handles["Amira Haddad"])
    assert shown["name"] == group.pseudonyms["Amira Haddad"]
    assert shown["revealed_name"] == "Amira Haddad"
    peer_view = await expect(await api.get(group.path, headers=group.members["Ben Okafor"]
                                           .headers), 200)
    assert "Amira" not in str(peer_view) and amira.user_id not in str(peer_view)

    [told] = await notify_told(notify, amira, "pseudonym_revealed")  # in notify's inbox
    assert told["excerpt"] == body["reason"] and told["actor"]["name"] == "the space's coach"

    officer = await identity.member(group.admin, "compliance_officer", name="Carla Compliance")

    async def audited() -> list[dict[str, Any]]:
        found = await expect(await audit.client.get(
            "/v1/audit/records", headers=officer.headers,
            params={"action": "community.PseudonymRevealed"}), 200)
        return list(found["records"])

    await eventually(audited, timeout=10, what="the reveal in the audit trail")
    [record] = await audited()
    assert record["actor"]["id"] == group.coach.user_id
    assert amira.user_id in record["data_subjects"]
    assert body["reason"] not in str(record)


async def test_a_withdrawn_consent_takes_effect_at_once(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity) -> None:
    group = await cohort(identity, engagement, community)
    api, coach = community.client, group.coach
    amira, ben = group.members["Amira Haddad"], group.members["Ben Okafor"]
    post = await expect(await api.post(f"{group.path}/posts", headers=amira.headers,
                                       json={"body": "Boundaries are kind."}), 201)
    pinned = await expect(await api.put(f"{group.path}/posts/{post['id']}/pin",
                                        headers=coach.headers, json={}), 200)
    feed = await expect(await api.get(f"{group.path}/feed", headers=ben.headers,
                                      params={"after": pinned["position"]}), 200)
    assert [p["post_id"] for p in feed["pinned"]] == [post["id"]]

    contract = f"/v1/contracts/{group.contracts['Amira Haddad']}/consents"
    for consent in ("pin_insights", "peer_tagging", "share_posts"):
        await expect(await engagement.client.delete(f"{contract}/{consent}",
                                                    headers=amira.headers), 200)

    async def unpinned() -> bool:
        answer = await api.get(f"{group.path}/feed", headers=ben.headers)
        return answer.json()["pinned"] == []

    await eventually(unpinned, timeout=10, what="the pin undone")
    attempts = {"pin": api.put(f"{group.path}/posts/{post['id']}/pin", headers=coach.headers,
                               json={}),
                "share": api.post(f"{group.path}/posts/{post['id']}/shares", headers=ben.headers),
                "tag": api.post(f"{group.path}/posts/{post['id']}/tags", headers=ben.headers,
                                json={"pseudonym": group.pseudonyms["Amira Haddad"]})}
    for what, attempt in attempts.items():
        response = await attempt
        assert response.status_code == 403, (what, response.text)
        assert response.json()["type"] == "urn:interlude:problem:consent-missing", what


async def test_the_organisation_decides_whether_pseudonyms_are_allowed(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity) -> None:
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    response = await identity.client.patch(
        f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers,
        json={"changes": {"community.pseudonyms": "forbidden"}, "reason": "named cohorts"})
    version = (await expect(response, 200))["version"]
    trust = community.app.state.trust
    await eventually(lambda: trust.cache.policy_version(admin.tenant_id) == version)
    refused = await community.client.post("/v1/community/spaces", headers=coach.headers,
                                          json={"name": "Saying no", "pseudonymous": True})
    assert refused.status_code == 403
    assert refused.json()["block"] == "community.pseudonyms"
    await create_space(community, coach, pseudonymous=False)


async def test_slow_mode_leaving_and_erasure(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity) -> None:
    group = await cohort(identity, engagement, community)
    api, chloe, ben = community.client, group.members["Chloe Martin"], group.members["Ben Okafor"]
    await expect(await api.put(f"{group.path}/slow-mode", headers=group.coach.headers,
                               json={"seconds": 600}), 200)
    first = await expect(await api.post(f"{group.path}/posts", headers=chloe.headers,
                                        json={"body": "One thought."}), 201)
    await expect(await api.get(f"{group.path}/feed", headers=chloe.headers,
                               params={"after": first["position"]}), 200)
    again = await api.post(f"{group.path}/posts", headers=chloe.headers,
                           json={"body": "Another thought."})
    assert again.status_code == 429
    assert 590 <= int(again.headers["Retry-After"]) <= 601
    assert again.json()["type"] == "urn:interlude:problem:slow-mode"

    left = await expect(await api.post(f"{group.path}/leave", headers=ben.headers), 200)
    space = await expect(await api.get(group.path, headers=chloe.headers,
                                       params={"after": left["position"]}), 200)
    assert group.pseudonyms["Ben Okafor"] not in {m["name"] for m in space["members"]}
    assert (await api.get(f"{group.path}/feed", headers=ben.headers)).status_code == 404

    officer = await identity.member(group.admin, "compliance_officer", name="Carla Compliance")
    forgotten = await identity.client.post(
        f"/v1/organisations/{group.admin.tenant_id}/erasures", headers=officer.headers,
        json={"subject_id": chloe.user_id, "reason": "the person asked"})
    assert forgotten.status_code in (200, 201, 202), forgotten.text

    async def former() -> bool:
        feed = await api.get(f"{group.path}/feed", headers=group.coach.headers)
        item = next(p for p in feed.json()["items"] if p["post_id"] == first["id"])
        return item["author"]["name"] == "former member" and item["body"] is None

    await eventually(former, timeout=10, what="the post shown as a former member's")


async def test_coaches_meet_in_a_peer_circle(
        identity: RunningIdentity, community: RunningCommunity) -> None:
    admin = await identity.organisation("Northwind")
    claire = await identity.member(admin, "coach", name="Claire Coach")
    marcus = await identity.member(admin, "coach", name="Marcus Mentor")
    coachee = await identity.member(admin, "coachee", name="Amira Haddad")
    circle = await create_space(community, claire, kind="peer_circle", pseudonymous=False,
                                name="Supervision: endings")
    path, api = f"/v1/community/spaces/{circle}", community.client

    async def invite(user_id: str) -> Any:
        return await api.post(f"{path}/invitations", headers=claire.headers,
                              json={"user_id": user_id})

    await eventually(lambda: _ok(invite(marcus.user_id)), timeout=10, what="a coach invited")
    assert (await invite(coachee.user_id)).status_code == 404  # a circle is for coaches
    joined = await expect(await api.post(f"{path}/join", headers=marcus.headers, json={}), 200)
    handle = (await expect(await api.get(path, headers=marcus.headers,
                                         params={"after": joined["position"]}), 200))["you"]
    post = await expect(await api.post(f"{path}/posts", headers=marcus.headers,
                                       json={"body": "How do you end well?"}), 201)
    await expect(await api.post(f"{path}/posts/{post['id']}/tags", headers=claire.headers,
                                json={"handle": handle["handle"]}), 200)
    feed = await expect(await api.get(f"{path}/feed", headers=claire.headers,
                                      params={"after": post["position"]}), 200)
    assert feed["items"][0]["author"]["name"] == "Marcus Mentor"


async def _ok(call: Any) -> bool:
    return bool((await call).status_code == 200)



async def test_a_contract_that_ends_takes_the_coachee_out_of_the_cohort(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity) -> None:
    group = await cohort(identity, engagement, community)
    ben, api = group.members["Ben Okafor"], community.client
    await expect(await engagement.client.post(
        f"/v1/contracts/{group.contracts['Ben Okafor']}/ending", headers=ben.headers,
        json={"reason": "moving on"}), 200)

    async def gone() -> bool:
        return (await api.get(f"{group.path}/feed", headers=ben.headers)).status_code == 404

    async def not_listed() -> bool:  # the read model shows it a moment after the aggregate
        space = await expect(await api.get(group.path, headers=group.coach.headers), 200)
        return group.handles["Ben Okafor"] not in {m["handle"] for m in space["members"]}

    await eventually(gone, timeout=10, what="Ben out of the cohort")
    await eventually(not_listed, timeout=10, what="Ben no longer among the members")


async def test_two_posts_sent_at_once_in_slow_mode_are_one_201_and_one_429(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity) -> None:
    """Slow mode is decided on the member's pace aggregate: neither post waits for the read
    model, so both used to pass within the projection's lag."""
    group = await cohort(identity, engagement, community)
    api, amira = community.client, group.members["Amira Haddad"]
    await expect(await api.put(f"{group.path}/slow-mode", headers=group.coach.headers,
                               json={"seconds": 600}), 200)
    # the read model lags as far as it may: its consumer is stopped while the posts go in
    views = next(r for r in community.runners if r.name == VIEWS)
    await views.stop()
    answers = await asyncio.gather(*(
        api.post(f"{group.path}/posts", headers=amira.headers, json={"body": body})
        for body in ("First at once.", "Second at once.")))
    assert sorted(a.status_code for a in answers) == [201, 429], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.json()["type"] == "urn:interlude:problem:slow-mode"
    assert 590 <= int(refused.headers["Retry-After"]) <= 601
