"""A coach's reply reaches the coachee's inbox at once, over the live stream, and a stream that
dropped picks up where it left off; a new post in a cohort is news on the other members'
streams (ids only, no id of its own)."""

from __future__ import annotations

import asyncio

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.notify.testing import RunningNotify

from ..community.cohort import cohort
from ..engagement.journey import active_contract, expect
from .inbox import live_url, notifications, stream, told


async def test_a_coach_reply_reaches_the_coachee_over_the_live_stream_and_resumes(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement)
    thread = f"/v1/contracts/{cast.contract_id}/messages"
    # the client lists the inbox first (the contract awaiting a signature), then follows it
    first = await told(notify, cast.coachee, "contract_awaits_signature")
    async with live_url(notify) as url:
        async with stream(url, cast.coachee, str(first[0]["seq"])) as live:
            await expect(await engagement.client.post(thread, headers=cast.coach.headers,
                                                      json={"body": "Lovely progress, Amira"}),
                         201)
            event = await asyncio.wait_for(live.next_event(), timeout=15)
        assert event["event"] == "notification"
        reply = event["data"]
        assert reply["kind"] == "coach_replied" and not reply["read"]
        assert reply["excerpt"] == "Lovely progress, Amira"
        assert reply["actor"] == {"name": "Claire Coach", "pseudonym": False}
        assert reply["text"] == "Claire Coach replied to you"
        assert reply["link"] == f"/contracts/{cast.contract_id}/thread"

        # the connection dropped; meanwhile the coach wrote again
        await expect(await engagement.client.post(thread, headers=cast.coach.headers,
                                                  json={"body": "And one more thing"}), 201)
        await told(notify, cast.coachee, "coach_replied", count=2)
        async with stream(url, cast.coachee, event["id"]) as resumed:
            missed = await asyncio.wait_for(resumed.next_event(), timeout=15)
        assert missed["data"]["excerpt"] == "And one more thing"
        assert int(missed["id"]) > int(event["id"])

    # the coach heard nothing of their own replies; the coachee's message reaches the coach
    assert [n for n in await notifications(notify, cast.coach) if n["kind"] == "coach_replied"] \
        == []
    await expect(await engagement.client.post(thread, headers=cast.coachee.headers,
                                              json={"body": "Thank you!"}), 201)
    received = await told(notify, cast.coach, "message_received")
    assert received[0]["excerpt"] == "Thank you!"
    assert received[0]["actor"]["name"] == "Amira Haddad"


async def test_a_new_post_reaches_the_other_members_streams_as_news_without_a_name(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity, notify: RunningNotify) -> None:
    group = await cohort(identity, engagement, community,
                         pseudonyms={"Amira Haddad": "Quiet Heron"})
    amira, ben = group.members["Amira Haddad"], group.members["Ben Okafor"]
    posts = f"{group.path}/posts"
    first = await expect(await community.client.post(
        posts, headers=amira.headers, json={"body": "I said no to a meeting"}), 201)
    async with live_url(notify) as url, stream(url, ben, None) as bens, \
            stream(url, amira, None) as amiras:
        # Ben's comment on her first post tells Amira: her stream is open (and his, before it)
        await expect(await community.client.post(
            f"{posts}/{first['id']}/comments", headers=ben.headers,
            json={"body": "Well done"}), 201)
        commented = await asyncio.wait_for(amiras.next_event(), timeout=15)
        assert commented["data"]["kind"] == "post_commented"

        second = await expect(await community.client.post(
            posts, headers=amira.headers, json={"body": "And I kept Friday free"}), 201)
        news = await asyncio.wait_for(bens.next_event(), timeout=15)
        assert news["event"] == "post" and "id" not in news  # Last-Event-ID stays the inbox's
        assert news["data"] == {"kind": "post_published", "space_id": group.space_id,
                                "post_id": second["id"]}
        # the author hears nothing of her own post: her next event is the next notification
        await expect(await community.client.post(
            f"{posts}/{second['id']}/comments", headers=ben.headers,
            json={"body": "Good for you"}), 201)
        after = await asyncio.wait_for(amiras.next_event(), timeout=15)
        assert after["event"] == "notification" and int(after["id"]) > int(commented["id"])
