"""The contract's word on outside platforms, enforced by notify: with the organisation's
``notify.email_content`` at ``full``, a comment on a coachee's cohort post is e-mailed without
its words, because the coachee's contract keeps cohort content inside Interlude
(``cohort_posts_stay_inside``, on unless agreed otherwise); a coach's reply, which is no cohort
content, still carries its words."""

from __future__ import annotations

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.notify.outbound_testing import everything
from interlude.notify.testing import RunningNotify

from ..community.cohort import cohort
from ..engagement.journey import expect, set_policy
from .inbox import told
from .outbound import sending


async def test_cohort_words_stay_inside_unless_both_agreed_otherwise(
        identity: RunningIdentity, engagement: RunningEngagement, community: RunningCommunity,
        notify: RunningNotify) -> None:
    group = await cohort(identity, engagement, community)
    await set_policy(identity, engagement, group.admin, {"notify.email_content": "full"})
    amira, chloe = group.members["Amira Haddad"], group.members["Chloe Martin"]
    api = community.client
    await expect(await notify.client.put("/v1/notify/preferences", headers=amira.headers,
                                         json={"email": {"post_commented": "immediately"}}), 200)
    async with sending(notify) as mail:
        post = await expect(await api.post(f"{group.path}/posts", headers=amira.headers,
                                           json={"body": "My small win"}), 201)
        await expect(await api.post(f"{group.path}/posts/{post['id']}/comments",
                                    headers=chloe.headers,
                                    json={"body": "COHORT-WORDS-7Q well done"}), 201)
        [commented] = await told(notify, amira, "post_commented")
        [message] = await mail.carried(commented["id"])
        assert "commented on your post" in everything(message)
        assert "COHORT-WORDS-7Q" not in everything(message)  # the contract's default

        # a coach's reply in the thread is not cohort content: full means full there
        contract = f"/v1/contracts/{group.contracts['Amira Haddad']}/messages"
        await expect(await engagement.client.post(contract, headers=group.coach.headers,
                                                  json={"body": "THREAD-WORDS-3K see you"}), 201)
        [replied] = await told(notify, amira, "coach_replied")
        [reply] = await mail.carried(replied["id"])
        assert "THREAD-WORDS-3K" in everything(reply)
