"""A coach's reply reaches the coachee's inbox at once, over the live stream, and a stream that
dropped picks up where it left off."""

from __future__ import annotations

import asyncio

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.notify.testing import RunningNotify

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
