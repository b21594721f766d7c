"""Materials shared with a cohort: the coach shares a link with a note on why now; its members
are told (by "the space's coach" in a pseudonymous space, never a name), see it, open it and
mark it done, and reflect on it in a post; the coach alone sees who opened and did it. A
member of another space, a coach of another space and a coach of another organisation get
404; with ``materials.enabled`` off every route answers 403 naming the block, audited."""

from __future__ import annotations

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import Person, RunningIdentity
from interlude.notify.testing import RunningNotify
from interlude.shared.events.envelope import Envelope
from interlude.shared.eventstore.base import decode_commit

from ..engagement.journey import expect
from ..notify.inbox import told
from .cohort import Cohort, cohort, contract, create_space, switched

TITLE = "Saying no with grace"
SHARED = {"kind": "link", "title": TITLE, "url": "https://example.org/no",
          "note": "Before Thursday, after what several of you said about Fridays."}


async def _shared(community: RunningCommunity, group: Cohort) -> dict[str, str]:
    return await expect(await community.client.post(
        f"{group.path}/materials", headers=group.coach.headers, json=SHARED), 201)


async def test_a_material_shared_with_the_cohort_is_opened_done_and_seen_by_its_coach(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity, notify: RunningNotify) -> None:
    group = await cohort(identity, engagement, community)
    api, path = community.client, f"{group.path}/materials"
    amira, ben = group.members["Amira Haddad"], group.members["Ben Okafor"]
    shared = await _shared(community, group)
    mine = await expect(await api.get(path, headers=amira.headers,
                                      params={"after": shared["position"]}), 200)
    [material] = mine["materials"]
    assert (material["title"], material["url"], material["kind"]) == (
        TITLE, "https://example.org/no", "link")
    assert material["note"].startswith("Before Thursday") and material["progress"] is None
    assert material["opened_at"] is None and material["shared_by"]["role"] == "coach"

    [news] = await told(notify, ben, "material_shared")  # every member hears of it
    assert news["link"] == f"/community/spaces/{group.space_id}/materials"
    assert "Claire" not in str(news)  # a pseudonymous space: "the space's coach"
    coach_told = await notify.client.get("/v1/notify/notifications",
                                         headers=group.coach.headers)
    assert "material_shared" not in coach_told.text

    item = f"{path}/{shared['id']}"
    await expect(await api.post(f"{item}/opened", headers=amira.headers), 200)
    again = await expect(await api.post(f"{item}/opened", headers=amira.headers), 200)
    done = await expect(await api.post(f"{item}/done", headers=amira.headers), 200)
    assert again["id"] == shared["id"]
    await expect(await api.post(f"{item}/opened", headers=ben.headers), 200)
    reflection = await expect(await api.post(f"{group.path}/posts", headers=amira.headers, json={
        "kind": "reflection", "body": f"On “{TITLE}”: I said no on Friday, kindly."}), 201)

    seen = await expect(await api.get(path, headers=group.coach.headers,
                                      params={"after": reflection["position"]}), 200)
    progress = {p["member"]["name"]: p for p in seen["materials"][0]["progress"]}
    assert set(progress) == set(group.pseudonyms.values())  # pseudonyms, never names
    amira_row = progress[group.pseudonyms["Amira Haddad"]]
    ben_row = progress[group.pseudonyms["Ben Okafor"]]
    chloe_row = progress[group.pseudonyms["Chloe Martin"]]
    assert amira_row["opened_at"] and amira_row["done_at"]
    assert ben_row["opened_at"] and ben_row["done_at"] is None
    assert chloe_row["opened_at"] is None
    assert "Amira" not in str(seen) and "Ben" not in str(seen)
    own = await expect(await api.get(path, headers=amira.headers,
                                     params={"after": done["position"]}), 200)
    assert own["materials"][0]["done_at"] is not None and own["materials"][0]["progress"] is None
    feed = await expect(await api.get(f"{group.path}/feed", headers=ben.headers), 200)
    assert TITLE in feed["items"][0]["body"]  # the reflection, in the space

    # only the coach shares; the coach does not mark it; no such material is a 404
    refused = await api.post(path, headers=ben.headers, json=SHARED)
    assert refused.status_code == 403
    assert (await api.post(f"{item}/done", headers=group.coach.headers)).status_code == 403
    assert (await api.post(f"{path}/nosuch/opened", headers=ben.headers)).status_code == 404


async def test_outsiders_get_404_and_links_are_checked(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity) -> None:
    group = await cohort(identity, engagement, community)
    api, path = community.client, f"{group.path}/materials"
    shared = await _shared(community, group)
    neighbour = await identity.member(group.admin, "coachee", name="Nina Next")
    await contract(identity, engagement, community, group.coach, neighbour)
    elsewhere = await create_space(community, group.coach, name="Another challenge")
    await expect(await api.post(f"/v1/community/spaces/{elsewhere}/invitations",
                                headers=group.coach.headers,
                                json={"user_id": neighbour.user_id}), 200)
    await expect(await api.post(f"/v1/community/spaces/{elsewhere}/join",
                                headers=neighbour.headers, json={}), 200)
    other_coach = await identity.member(group.admin, "coach", name="Marcus Mentor")
    foreign = await identity.member(await identity.organisation("Elsewhere"), "coach")
    for outsider in (neighbour, other_coach, foreign):
        for method, url in (("GET", path), ("POST", path),
                            ("POST", f"{path}/{shared['id']}/opened"),
                            ("POST", f"{path}/{shared['id']}/done")):
            response = await api.request(method, url, headers=outsider.headers,
                                         json=SHARED if url == path and method == "POST"
                                         else None)
            assert response.status_code == 404, (outsider, url, response.text)
            assert TITLE not in response.text
    # the material of one space is not reachable through another
    moved = await api.post(f"/v1/community/spaces/{elsewhere}/materials/{shared['id']}/opened",
                           headers=neighbour.headers)
    assert moved.status_code == 404

    for bad in ({"kind": "link", "title": "no address"},
                {"kind": "link", "title": "x", "url": "javascript:alert(1)"},
                {"kind": "reading", "title": "x", "url": "file:///etc/passwd"},
                {"kind": "poem", "title": "x"}, {"title": ""}, {"title": "x", "extra": 1},
                {"title": "a\x00b"}, {"title": "x", "note": 5}):
        response = await api.post(path, headers=group.coach.headers, json=bad)
        assert response.status_code == 422, (bad, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


async def denials(community: RunningCommunity, tenant_id: str) -> list[Envelope]:
    js, stream = community.platform.js, community.platform.stream("access")
    last = (await js.stream_info(stream.name)).state.last_seq
    prefix = f"{stream.prefix}.{tenant_id}.community."
    found: list[Envelope] = []
    for seq in range(1, last + 1):
        message = await js.get_msg(stream.name, seq)
        if message.subject.startswith(prefix):
            found.extend(decode_commit(message.data))
    return [e for e in found if e.type == "access.AccessDenied"]


async def test_with_materials_switched_off_every_route_names_the_block(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity) -> None:
    group = await cohort(identity, engagement, community)
    shared = await _shared(community, group)
    await switched(identity, community, group.admin, {"materials.enabled": False})
    path = f"{group.path}/materials"
    calls: list[tuple[str, str, Person]] = [
        ("GET", path, group.coach), ("POST", path, group.coach),
        ("GET", path, group.members["Ben Okafor"]),
        ("POST", f"{path}/{shared['id']}/opened", group.members["Ben Okafor"]),
        ("POST", f"{path}/{shared['id']}/done", group.members["Ben Okafor"])]
    for method, url, who in calls:
        response = await community.client.request(
            method, url, headers=who.headers, json=SHARED if url == path and method == "POST"
            else None)
        assert response.status_code == 403, (url, response.text)
        problem = response.json()
        assert problem["block"] == "materials.enabled" and TITLE not in response.text
    refused = [e for e in await denials(community, group.admin.tenant_id)
               if e.payload["reason"] == "materials.enabled"]
    assert {e.actor.id for e in refused} == {group.coach.user_id,
                                             group.members["Ben Okafor"].user_id}
    assert len(refused) == len(calls)
