"""The cohort in the browser: a coach opens a pseudonymous space and invites two coachees,
who join under pseudonyms, post, comment and react; no page a peer sees carries another
member's real name; the coach pins a post (unpinned when its author withdraws the consent in
one click) and reveals a pseudonym with a reason, which the compliance officer finds in the
audit search; and when the organisation switches the
community off, the page says so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser, Page

from interlude.audit.testing import RunningAudit
from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb, running_web

from .conftest import DESKTOP
from .people import checked, community_contract, expect, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
async def web_with_community(identity: RunningIdentity, engagement: RunningEngagement,
                             community: RunningCommunity,
                             audit: RunningAudit) -> AsyncIterator[RunningWeb]:
    async with running_web({"identity": identity.app, "engagement": engagement.app,
                            "community": community.app, "audit": audit.app}) as running:
        yield running


async def _text(page: Page) -> str:
    return await page.inner_text("body")


async def test_peers_meet_under_pseudonyms_and_never_see_a_real_name(
        browser: Browser, web_with_community: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement, community: RunningCommunity,
        audit: RunningAudit) -> None:
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    amira = await identity.member(admin, "coachee", name="Amira Haddad")
    ben = await identity.member(admin, "coachee", name="Benedikt Brown")
    for coachee in (amira, ben):
        await community_contract(identity, engagement, community, coach, coachee)
    contexts = [await browser.new_context(base_url=web_with_community.url, viewport=DESKTOP)
                for _ in range(3)]
    for context in contexts:
        context.set_default_timeout(10_000)
    try:
        her, amira_page, ben_page = [await sign_in(c, p) for c, p in
                                     zip(contexts, (coach, amira, ben), strict=True)]
        await her.goto("/community")
        await her.get_by_label("The shared challenge").fill("Saying no kindly")
        await her.get_by_role("button", name="Open the space").click()
        space_url = her.url
        for name in ("Amira Haddad", "Benedikt Brown"):
            await her.get_by_label("Invite a coachee").select_option(label=name)
            await her.get_by_role("button", name="Invite").click()
            assert "Invited" in await her.inner_text("main")

        seen: list[str] = []  # every page a peer is shown, to scan for real names
        for page, pseudonym in ((amira_page, "Quiet Heron"), (ben_page, "Bold Otter")):
            await page.get_by_role("link", name="Community").first.click()
            seen.append(await _text(page))
            await page.get_by_role("link", name="Saying no kindly").click()
            await page.get_by_label("Your pseudonym").fill(pseudonym)
            await page.get_by_role("button", name="Join").click()
            assert f"You appear here as {pseudonym}" in await page.inner_text("main")
            seen.append(await _text(page))

        await amira_page.get_by_label("Share with the space").fill("I said no to a meeting")
        await amira_page.get_by_role("button", name="Post", exact=True).click()
        await ben_page.goto(space_url.replace(web_with_community.url, ""))
        assert "Quiet Heron" in await ben_page.inner_text("main")
        await ben_page.get_by_role("button", name="Celebrate 0").first.click()
        assert await ben_page.get_by_role("button", name="Celebrate 1").first.is_visible()
        seen.append(await _text(ben_page))
        await ben_page.get_by_role("link", name="comment").first.click()
        await ben_page.get_by_label("Tag a peer").select_option(label="Quiet Heron")
        await ben_page.get_by_role("button", name="Tag", exact=True).click()
        assert "Tagged: Quiet Heron" in await ben_page.inner_text("main")
        # her contract does not let her posts be shared: refused, and said as the share's
        # problem, not as the comment form's
        await ben_page.get_by_role("button", name="Share it to the space again").click()
        assert await ben_page.locator("#post-error").count() == 1
        commenting = ben_page.locator('form[action$="/comments"]')
        assert await commenting.get_attribute("aria-describedby") is None
        await ben_page.get_by_label("Your comment").fill("Well done, how did it feel?")
        await ben_page.get_by_role("button", name="Comment").click()
        assert "Well done, how did it feel?" in await ben_page.inner_text("main")
        seen.append(await _text(ben_page))
        await amira_page.reload()
        seen.append(await _text(amira_page))
        violations = await checked(ben_page, "community-post", "desktop")
        await ben_page.goto(space_url.replace(web_with_community.url, ""))
        violations += await checked(ben_page, "community-space", "desktop")
        assert violations == []

        ben_saw = [t for t in seen if "Sign out Benedikt Brown" in t]
        amira_saw = [t for t in seen if "Sign out Amira Haddad" in t]
        assert ben_saw and amira_saw
        assert not any("Amira" in t or "Haddad" in t for t in ben_saw)
        assert not any("Benedikt" in t or "Brown" in t for t in amira_saw)

        # the coach pins Amira's post, then reveals who is behind "Quiet Heron", with a reason
        await her.goto(space_url.replace(web_with_community.url, ""))
        await her.get_by_text("Moderate").first.click()
        await her.get_by_label("Why it is a key insight").fill("saying no, kindly")
        await her.get_by_role("button", name="Pin as a key insight").click()
        assert "Pinned as a key insight" in await her.inner_text("main")
        await her.get_by_text("Reveal who is behind a pseudonym").click()
        await her.get_by_label("Why reveal Quiet Heron?").fill("a safeguarding concern")
        await her.get_by_role("button", name="Reveal Quiet Heron").click()
        assert "Quiet Heron (Amira Haddad)" in await her.inner_text("main")
        await ben_page.reload()
        peer_view = await _text(ben_page)
        assert "Key insights" in peer_view and "saying no, kindly" in peer_view
        assert "Amira" not in peer_view and "Haddad" not in peer_view

        # her growth record keeps it; then she withdraws her consent to pinning in one click,
        # and the insight leaves the space
        await amira_page.goto("/home")
        await amira_page.get_by_role("link", name="My growth record").click()
        record = await amira_page.inner_text("main")
        assert "In Saying no kindly" in record and "saying no, kindly" in record
        assert "I said no to a meeting" in record
        assert await checked(amira_page, "growth-record", "desktop") == []
        await amira_page.goto("/home")
        await amira_page.get_by_role("link", name="My contract and consents").click()
        await amira_page.get_by_role("button", name="Withdraw this consent").first.click()
        assert "Consent withdrawn: pinning my posts" in await amira_page.inner_text("main")

        async def unpinned() -> bool:
            await ben_page.reload()
            return "Key insights" not in await ben_page.inner_text("main")

        await eventually(unpinned, timeout=10)

        officer = await identity.member(admin, "compliance_officer", name="Carla Compliance")
        await _reveal_found(browser, web_with_community, audit, officer)

        await expect(await identity.client.patch(
            f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers,
            json={"changes": {"community.enabled": False}, "reason": "a pause"}), 200)

        async def explained() -> bool:
            await ben_page.goto("/community")
            return "switched off the community" in await ben_page.inner_text("main")

        await eventually(explained, timeout=10)
    finally:
        for context in contexts:
            await context.close()


async def _reveal_found(browser: Browser, web: RunningWeb, audit: RunningAudit,
                        officer: Person) -> None:
    """The compliance officer finds the reveal in the audit search, and the trail verifies."""
    context = await browser.new_context(base_url=web.url, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    try:
        page = await sign_in(context, officer)

        async def found() -> bool:
            await page.goto("/compliance/audit?action=community.PseudonymRevealed")
            return "1 record found" in await page.inner_text("main")

        await eventually(found, timeout=10)
        assert "By Claire Coach" in await page.inner_text("main")
        await audit.checkpointer.sign_now(officer.tenant_id, datetime.now(UTC))
        await page.goto("/compliance/verification")
        assert "Verified." in await page.inner_text("main")
    finally:
        await context.close()


async def test_a_rehearsed_draft_is_published_and_the_coach_moderates_the_space(
        browser: Browser, web_with_community: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement, community: RunningCommunity) -> None:
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    amira = await identity.member(admin, "coachee", name="Amira Haddad")
    await community_contract(identity, engagement, community, coach, amira)
    space = await expect(await community.client.post(
        "/v1/community/spaces", headers=coach.headers,
        json={"name": "Saying no kindly", "pseudonymous": True}), 201)
    path = f"/v1/community/spaces/{space['id']}"
    await expect(await community.client.post(f"{path}/invitations", headers=coach.headers,
                                             json={"user_id": amira.user_id}), 200)
    await expect(await community.client.post(f"{path}/join", headers=amira.headers,
                                             json={"pseudonym": "Quiet Heron"}), 200)
    contexts = [await browser.new_context(base_url=web_with_community.url, viewport=DESKTOP)
                for _ in range(2)]
    try:
        mine, hers = [await sign_in(c, p) for c, p in zip(contexts, (amira, coach),
                                                             strict=True)]
        await mine.goto(f"/community/{space['id']}")
        await mine.get_by_role("link", name="Rehearse a post with your coach first").click()
        await mine.get_by_label("Your draft").fill("No, I cannot take this on this week")
        await mine.get_by_role("button", name="Ask my coach first").click()
        assert "only the two of you see it" in await mine.inner_text("main")
        await hers.goto(f"/community/{space['id']}/rehearsals")
        await hers.get_by_label("Your feedback").fill("Add what you can do instead")
        await hers.get_by_role("button", name="Send feedback").click()
        await mine.reload()
        assert "suggests: Add what you can do instead" in await mine.inner_text("main")
        assert await checked(mine, "rehearsals", "desktop") == []
        await mine.get_by_role("button", name="Publish to the space").click()
        assert "Published" in await mine.inner_text("main")
        assert "No, I cannot take this on this week" in await mine.inner_text("main")

        # the coach slows the space down: a second post too soon is refused with the reason,
        # the space shown again; she hides a post and restores it
        await hers.goto(f"/community/{space['id']}")
        await hers.get_by_label("Slow mode").fill("30")
        await hers.get_by_role("button", name="Set slow mode").click()
        assert "Slow mode is on" in await hers.inner_text("main")
        for attempt in ("first of two", "second of two"):
            await mine.get_by_label("Share with the space").fill(attempt)
            await mine.get_by_role("button", name="Post", exact=True).click()
        refused = await mine.get_by_role("alert").inner_text()
        assert "slow" in refused.lower(), refused
        await hers.reload()
        await hers.get_by_text("Moderate").first.click()
        await hers.get_by_role("button", name="Hide it from the space").first.click()
        assert "The post is hidden" in await hers.inner_text("main")
        await hers.get_by_text("Moderate").first.click()
        await hers.get_by_role("button", name="Restore it to the space").first.click()
        assert "The post is back in the space" in await hers.inner_text("main")
    finally:
        for context in contexts:
            await context.close()
