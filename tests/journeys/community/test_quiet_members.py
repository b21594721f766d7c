"""Drawing in the quiet ones: the coach of a cohort sees who read it in the last two weeks
without posting, commenting or reacting, by the name the coach may see (a pseudonym), and sends
a gentle invitation; a peer cannot see the list; a coachee who withdraws the consent to be
counted drops out of it at once."""

from __future__ import annotations

from interlude.community.projections.contracts import NAME as CONTRACTS
from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.notify.testing import RunningNotify

from ..engagement.journey import expect
from ..notify.inbox import told
from .cohort import cohort


async def test_the_coach_sees_who_reads_without_posting_and_invites_them(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity, notify: RunningNotify) -> None:
    group = await cohort(identity, engagement, community)
    api, path = community.client, group.path
    amira, ben, chloe = (group.members[n] for n in ("Amira Haddad", "Ben Okafor",
                                                    "Chloe Martin"))
    post = await expect(await api.post(f"{path}/posts", headers=amira.headers,
                                       json={"body": "A small win today."}), 201)
    for reader in (ben, chloe):
        await expect(await api.post(f"{path}/read", headers=reader.headers), 200)
    last = await expect(await api.put(f"{path}/posts/{post['id']}/reactions/support",
                                      headers=chloe.headers), 200)  # Chloe joins in

    quiet = await expect(await api.get(f"{path}/quiet-members", headers=group.coach.headers,
                                       params={"after": last["position"]}), 200)
    assert [q["member"]["name"] for q in quiet["quiet"]] == [group.pseudonyms["Ben Okafor"]]
    assert "Ben" not in str(quiet) and quiet["quiet"][0]["invited_at"] is None
    peer = await api.get(f"{path}/quiet-members", headers=amira.headers)
    assert peer.status_code == 403

    invited = await expect(await api.post(
        f"{path}/quiet-members/{group.handles['Ben Okafor']}/invitation",
        headers=group.coach.headers), 200)
    after = await expect(await api.get(f"{path}/quiet-members", headers=group.coach.headers,
                                       params={"after": invited["position"]}), 200)
    assert after["quiet"][0]["invited_at"] is not None

    [invitation] = await told(notify, ben, "quiet_invitation")  # Ben hears of it
    assert invitation["link"] == f"/community/spaces/{group.space_id}"
    others = await notify.client.get("/v1/notify/notifications", headers=chloe.headers)
    assert "quiet_invitation" not in others.text
    refused = await api.post(f"{path}/quiet-members/{group.handles['Amira Haddad']}/invitation",
                             headers=ben.headers)
    assert refused.status_code == 403  # only the coach invites

    # Ben withdraws his consent to be counted: he is not listed any more
    withdrawn = await expect(await engagement.client.delete(
        f"/v1/contracts/{group.contracts['Ben Okafor']}/consents/counted_when_quiet",
        headers=ben.headers), 200)
    waiter, stream = community.app.state.waiter, engagement.platform.stream("engagement").name
    assert await waiter.wait(CONTRACTS, stream, withdrawn["position"], timeout=10)
    gone = await expect(await api.get(f"{path}/quiet-members", headers=group.coach.headers), 200)
    assert gone["quiet"] == []
