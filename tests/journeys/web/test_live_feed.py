"""The cohort feed live: a peer comments on a member's post and the member's open feed shows
it without reloading (notify tells the author; web fetches the feed again); a peer posts and
the other member's open feed shows the post (notify's news: ids only, web fetches the feed
with the reader's own token)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext
from playwright.async_api import expect as shows

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.notify.testing import RunningNotify
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb, running_web

from .conftest import DESKTOP
from .people import community_contract, expect, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
async def web(identity: RunningIdentity, engagement: RunningEngagement,
              community: RunningCommunity, notify: RunningNotify) -> AsyncIterator[RunningWeb]:
    async with running_web({"identity": identity.app, "engagement": engagement.app,
                            "community": community.app, "notify": notify.app}) as running:
        yield running


async def test_a_comment_on_my_post_shows_in_my_open_feed_without_reloading(
        context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement, community: RunningCommunity) -> None:
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    amira = await identity.member(admin, "coachee", name="Amira Haddad")
    ben = await identity.member(admin, "coachee", name="Benedikt Brown")
    for coachee in (amira, ben):
        await community_contract(identity, engagement, community, coach, coachee)
    space = await expect(await community.client.post(
        "/v1/community/spaces", headers=coach.headers,
        json={"name": "Saying no kindly", "pseudonymous": True}), 201)
    path = f"/v1/community/spaces/{space['id']}"
    for person, pseudonym in ((amira, "Quiet Heron"), (ben, "Bold Otter")):
        await expect(await community.client.post(f"{path}/invitations", headers=coach.headers,
                                                 json={"user_id": person.user_id}), 200)
        await expect(await community.client.post(f"{path}/join", headers=person.headers,
                                                 json={"pseudonym": pseudonym}), 200)
    post = await expect(await community.client.post(
        f"{path}/posts", headers=amira.headers, json={"body": "I said no to a meeting"}), 201)
    page = await sign_in(context, amira)
    feed = page.locator("#feed")

    async def posted() -> bool:  # community's feed may show the post a moment later
        await page.goto(f"/community/{space['id']}")
        return "0 comments" in await feed.inner_text()

    await eventually(posted, what="the post in the feed")
    await page.wait_for_selector("html[data-live=open]")
    await page.evaluate("window.notReloaded = true")

    await expect(await community.client.post(
        f"{path}/posts/{post['id']}/comments", headers=ben.headers,
        json={"body": "Well done, that takes courage"}), 201)

    await shows(feed).to_contain_text("1 comment")
    assert await page.evaluate("window.notReloaded === true")
    await shows(page.locator("#live-news")).to_contain_text("(shown below)")


async def test_a_peers_new_post_shows_in_my_open_feed_without_reloading(
        browser: Browser, context: BrowserContext, web: RunningWeb,
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity) -> None:
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    amira = await identity.member(admin, "coachee", name="Amira Haddad")
    ben = await identity.member(admin, "coachee", name="Benedikt Brown")
    for coachee in (amira, ben):
        await community_contract(identity, engagement, community, coach, coachee)
    space = await expect(await community.client.post(
        "/v1/community/spaces", headers=coach.headers,
        json={"name": "Saying no kindly", "pseudonymous": True}), 201)
    path = f"/v1/community/spaces/{space['id']}"
    for person, pseudonym in ((amira, "Quiet Heron"), (ben, "Bold Otter")):
        await expect(await community.client.post(f"{path}/invitations", headers=coach.headers,
                                                 json={"user_id": person.user_id}), 200)
        await expect(await community.client.post(f"{path}/join", headers=person.headers,
                                                 json={"pseudonym": pseudonym}), 200)
    feed_page = f"/community/{space['id']}"
    bens = await sign_in(context, ben)
    await bens.goto(feed_page)
    await bens.wait_for_selector("html[data-live=open]")
    await bens.evaluate("window.notReloaded = true")
    feed = bens.locator("#feed")
    assert "I said no to a meeting" not in await feed.inner_text()

    amiras_context = await browser.new_context(base_url=web.url, viewport=DESKTOP)
    try:
        amiras = await sign_in(amiras_context, amira)
        await amiras.goto(feed_page)
        await amiras.get_by_label("Share with the space").fill("I said no to a meeting")
        await amiras.get_by_role("button", name="Post").click()
        await shows(amiras.locator("#feed")).to_contain_text("I said no to a meeting")
    finally:
        await amiras_context.close()

    await shows(feed).to_contain_text("I said no to a meeting")
    await shows(feed).to_contain_text("Quiet Heron")
    assert await bens.evaluate("window.notReloaded === true")
    await shows(bens.locator("#live-news")).to_contain_text("A new post in this space")
    assert "Amira" not in await bens.locator("body").inner_text()
    assert "Haddad" not in await bens.content()
