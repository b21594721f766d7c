"""A coach's reply reaches the coachee's inbox at once, over the live stream, and a stream that
dropped picks up where it left off; a new post in a cohort is news on the other members'
streams (ids only, no id of its own); a stream ends once its token would no longer be let in
(expired, or its person deactivated)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from typing import Any

import jwt
import pytest

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.app.tokens import sign
from interlude.identity.testing import RunningIdentity
from interlude.notify.testing import RunningNotify
from interlude.shared.kit import utc_now
from interlude.shared.testing.eventually import eventually

from ..community.cohort import cohort
from ..engagement.journey import active_contract, expect, set_policy
from .inbox import Stream, live_url, notifications, stream, told


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


async def _until_ended(live: Stream) -> list[dict[str, Any]] | None:
    """What the stream shows until it ends; None if it is still open after the test's
    patience (longer than a stream's idle poll)."""
    shown: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(20):
            while True:
                shown.append(await live.next_event())
    except AssertionError:  # "the stream ended"
        return shown
    except TimeoutError:
        return None


async def test_a_stream_ends_when_its_person_is_deactivated_and_shows_nothing_more(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement)
    first = await told(notify, cast.coachee, "contract_awaits_signature")
    async with live_url(notify) as url, stream(url, cast.coachee, str(first[0]["seq"])) as live:
        await expect(await identity.client.post(
            f"/v1/organisations/{cast.admin.tenant_id}/users/{cast.coachee.user_id}/deactivate",
            headers=cast.admin.headers, json={"reason": "left the company"}), 200)

        async def refused() -> bool:  # notify has heard of it: a new request is a 401
            answer = await notify.client.get("/v1/notify/notifications/unread-count",
                                            headers=cast.coachee.headers)
            return answer.status_code == 401

        await eventually(refused, timeout=15, interval=0.1, what="the deactivation in notify")
        await expect(await engagement.client.post(
            f"/v1/contracts/{cast.contract_id}/messages", headers=cast.coach.headers,
            json={"body": "Before you go, Amira"}), 201)
        shown = await _until_ended(live)
        assert shown is not None, "the deactivated person's open stream went on"
        assert [e for e in shown if e["data"].get("kind") == "coach_replied"] == []


async def test_a_stream_ends_when_its_token_expires(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement)
    claims = jwt.decode(cast.coachee.access_token, options={"verify_signature": False})
    kept = {k: v for k, v in claims.items() if k not in ("iss", "aud", "jti", "iat", "exp")}
    brief = await sign(identity.app.state.identity, kept, utc_now(), timedelta(seconds=2))
    short = dataclasses.replace(cast.coachee, access_token=brief)
    async with live_url(notify) as url, stream(url, short, None) as live:
        assert await _until_ended(live) is not None, "the stream outlived its token"


@pytest.mark.slow  # the stream finds out at its idle poll (15 s): nothing else wakes it
async def test_a_stream_ends_when_the_organisation_closes_the_inbox(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement)
    async with live_url(notify) as url, stream(url, cast.coachee, None) as live:
        await set_policy(identity, notify, cast.admin, {"notify.channels": ["email"]})
        assert await _until_ended(live) is not None, "the stream outlived the inbox"
