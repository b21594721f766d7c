"""Progressive openness: a member of a pseudonymous cohort steps out of their pseudonym to one
peer, who then sees their name in that space only; the other peers still see the pseudonym on
every page and answer they can get; stepping out to the whole space shows it to all, and
stepping back hides it again. It is the member's act alone, confirmed, and in the trail as an
event; an organisation that requires pseudonyms refuses it, naming the block."""

from __future__ import annotations

from typing import Any

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import Person, RunningIdentity
from interlude.notify.testing import RunningNotify
from interlude.shared.testing.eventually import eventually

from ..engagement.journey import expect
from ..notify.inbox import notifications, told
from .cohort import Cohort, cohort

AMIRA = "Amira Haddad"


async def everything(community: RunningCommunity, group: Cohort, who: Person,
                     after: int) -> str:
    """Every answer ``who`` can get in the space: the space with its members, the feed, each
    post, the rehearsals, the list of spaces."""
    api, texts = community.client, []
    for path in ("", "/feed", "/rehearsals"):
        response = await api.get(group.path + path, headers=who.headers,
                                 params={"after": after})
        texts.append(response.text)
        if path == "/feed" and response.status_code == 200:
            for post in response.json()["items"]:
                one = await api.get(f"{group.path}/posts/{post['post_id']}",
                                    headers=who.headers)
                texts.append(one.text)
    texts.append((await api.get("/v1/community/spaces", headers=who.headers)).text)
    return "\n".join(texts)


def members_seen(space: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["name"]: m for m in space["members"]}


async def test_a_member_steps_out_to_one_peer_and_the_others_still_see_the_pseudonym(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity, notify: RunningNotify) -> None:
    group = await cohort(identity, engagement, community, pseudonyms={AMIRA: "Quiet Heron"})
    api, amira = community.client, group.members[AMIRA]
    ben, chloe = group.members["Ben Okafor"], group.members["Chloe Martin"]
    await expect(await api.post(f"{group.path}/posts", headers=amira.headers,
                                json={"body": "Today I said no, kindly."}), 201)

    unconfirmed = await api.post(f"{group.path}/step-out", headers=amira.headers,
                                 json={"to": group.handles["Ben Okafor"], "understood": False})
    assert unconfirmed.status_code == 422
    assert "what was seen was seen" in unconfirmed.json()["detail"]

    written = await expect(await api.post(
        f"{group.path}/step-out", headers=amira.headers,
        json={"to": group.handles["Ben Okafor"], "understood": True}), 200)
    after = written["position"]

    seen_by_ben = await expect(await api.get(group.path, headers=ben.headers,
                                             params={"after": after}), 200)
    heron = members_seen(seen_by_ben)["Quiet Heron"]
    assert heron["stepped_out_name"] == AMIRA and "shown_to" not in str(heron)
    ben_sees = await everything(community, group, ben, after)
    assert AMIRA in ben_sees
    feed = await expect(await api.get(f"{group.path}/feed", headers=ben.headers), 200)
    assert feed["items"][0]["author"]["stepped_out_name"] == AMIRA

    chloe_sees = await everything(community, group, chloe, after)
    assert "Quiet Heron" in chloe_sees
    assert "Amira" not in chloe_sees and "Haddad" not in chloe_sees
    assert amira.user_id not in chloe_sees
    coach_sees = await everything(community, group, group.coach, after)
    assert "Amira" not in coach_sees  # stepped out to Ben only: the coach has not revealed

    own = await expect(await api.get(group.path, headers=amira.headers), 200)
    assert own["you"]["shown_to"] == [group.handles["Ben Okafor"]]
    # Ben is told, by pseudonym: the notification itself never carries the name
    [notice] = await told(notify, ben, "stepped_out_to_you")
    assert "Amira" not in str(notice) and "Quiet Heron" in str(notice)
    assert "stepped_out_to_you" not in str(await notifications(notify, chloe, limit=100))

    # to the whole space, then back: the name goes away again for every reader
    whole = await expect(await api.post(f"{group.path}/step-out", headers=amira.headers,
                                        json={"understood": True}), 200)
    assert AMIRA in await everything(community, group, chloe, whole["position"])
    assert AMIRA in await everything(community, group, group.coach, whole["position"])
    back = await expect(await api.post(f"{group.path}/step-back", headers=amira.headers,
                                       json={"understood": True}), 200)
    for reader in (ben, chloe, group.coach):
        assert "Amira" not in await everything(community, group, reader, back["position"])
    own = await expect(await api.get(group.path, headers=amira.headers), 200)
    assert own["you"]["shown_to"] == []

    # the member's act alone, in community's stream (and so in the audit trail)
    stream = community.platform.stream("community")
    events = await community.platform.js.stream_info(stream.name)
    assert events.state.messages > 0
    types = []
    for seq in range(1, events.state.last_seq + 1):
        message = await community.platform.js.get_msg(stream.name, seq)
        if b"MemberStepped" in message.data:
            types.append(message.data.count(b"community.MemberStepped"))
    assert sum(types) == 3


async def test_stepping_out_is_refused_where_pseudonyms_are_required_and_by_the_coach(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity) -> None:
    group = await cohort(identity, engagement, community)
    api, amira = community.client, group.members[AMIRA]
    coach = await api.post(f"{group.path}/step-out", headers=group.coach.headers,
                           json={"understood": True})
    assert coach.status_code == 409 and "by name already" in coach.json()["detail"]
    nobody = await api.post(f"{group.path}/step-out", headers=amira.headers,
                            json={"to": "mnosuchhandle12", "understood": True})
    assert nobody.status_code == 404

    response = await identity.client.patch(
        f"/v1/organisations/{group.admin.tenant_id}/policy", headers=group.admin.headers,
        json={"changes": {"community.pseudonyms": "required"}, "reason": "a test"})
    version = (await expect(response, 200))["version"]
    trust = community.app.state.trust
    await eventually(lambda: trust.cache.policy_version(group.admin.tenant_id) == version)
    refused = await api.post(f"{group.path}/step-out", headers=amira.headers,
                             json={"understood": True})
    assert refused.status_code == 403
    assert refused.json()["block"] == "community.pseudonyms"
    # going back to the pseudonym is never refused
    await expect(await api.post(f"{group.path}/step-back", headers=amira.headers,
                                json={"understood": True}), 200)
