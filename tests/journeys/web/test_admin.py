"""The org admin's security policy: each block explained, a change's effect said before it
is saved, and saved at identity with the reason."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb

from .conftest import PHONE
from .people import checked, expect, opened, organisation_with_contract, sign_in

pytestmark = pytest.mark.browser


async def test_the_admin_switches_the_community_off_after_reading_what_it_does(
        browser: Browser, context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    admin, *_ = await organisation_with_contract(identity, engagement)
    page = await sign_in(context, admin)
    await page.get_by_role("link", name="Security policy").first.click()
    violations = await checked(page, "admin-policy", "desktop")
    community = page.get_by_role("group", name="Community", exact=True)
    assert "Confidential cohorts of peers" in await community.inner_text()
    await community.get_by_label("On").uncheck()
    await page.get_by_role("button", name="Review the change").click()
    assert "Community: from on to off" in await page.inner_text("main")
    assert "Every cohort and peer circle closes" in await page.inner_text("main")
    violations += await checked(page, "admin-policy-review", "desktop")
    before = await expect(await identity.client.get(
        f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers), 200)
    assert before["policy"]["community.enabled"] is True  # nothing saved by the review
    await page.get_by_label("Why").fill("the cohorts start next quarter")
    await page.get_by_role("button", name="Save the policy").click()
    assert "The policy is saved" in await page.inner_text("main")
    after = await expect(await identity.client.get(
        f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers), 200)
    assert after["policy"]["community.enabled"] is False
    assert after["version"] == before["version"] + 1

    phone = await browser.new_context(base_url=web.url, viewport=PHONE)
    try:
        small = await sign_in(phone, admin)
        await small.goto("/admin/policy")
        violations += await checked(small, "admin-policy", "phone")
    finally:
        await phone.close()
    assert violations == []


async def test_an_invited_person_sets_a_password_and_is_let_go_when_deactivated(
        browser: Browser, context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    admin, *_ = await organisation_with_contract(identity, engagement)
    page = await sign_in(context, admin)
    await page.get_by_role("link", name="People").first.click()
    await page.get_by_label("Name").fill("Nina New")
    await page.get_by_label("E-mail address").fill(identity.unique_email("nina"))
    await page.get_by_label("Coachee", exact=True).check()
    await page.get_by_role("button", name="Invite").click()
    notice = await page.get_by_role("status").first.inner_text()
    assert "Nina New is invited" in notice
    link = notice.rsplit(": ", 1)[1].strip()
    assert link.startswith("http") and "/invitations/" in link
    violations = await checked(page, "admin-people", "desktop")

    newcomer = await browser.new_context(base_url=web.url, viewport=PHONE)
    try:
        mine = await newcomer.new_page()
        await mine.goto(httpx.URL(link).path)
        assert "has invited you" in await mine.inner_text("main")
        violations += await checked(mine, "invitation", "phone")
        await mine.get_by_label("Your new password").fill("a long and happy phrase")
        await mine.get_by_label("The same password again").fill("a long and happy phrase")
        await mine.get_by_role("button", name="Set my password").click()
        await mine.wait_for_url("**/home")
        await mine.goto(httpx.URL(link).path)
        assert "no longer works" in await mine.inner_text("main")  # the link worked once

        await page.reload()
        nina = await opened(page, "Nina New")
        assert "Coachee" in await nina.get_by_role("list").first.inner_text()
        assert "source" not in await nina.inner_text()
        # her only role cannot be taken away (identity refuses it): it is not offered
        assert await nina.get_by_role("button", name="Take away the role").count() == 0
        await nina.get_by_label("Grant a role").select_option(label="Coach")
        await nina.get_by_role("button", name="Grant").click()
        assert "Coach" in await page.inner_text("main")
        nina = await opened(page, "Nina New")
        await nina.get_by_role("button", name="Take away the role coach from").click()
        assert "is revoked" in await page.inner_text("main")
        nina = await opened(page, "Nina New")
        assert await nina.get_by_role("button", name="Take away the role").count() == 0
        await nina.get_by_label("Why deactivate").fill("left the company")
        await nina.get_by_role("button", name="Deactivate").click()
        assert "The account is deactivated" in await page.inner_text("main")

        async def let_go() -> bool:
            await mine.goto("/home")
            return "/sign-in" in mine.url

        await eventually(let_go, timeout=10)
    finally:
        await newcomer.close()
    assert violations == []


async def test_messages_switched_off_leave_the_coachs_dashboard_in_words(
        browser: Browser, context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    admin, coach, *_ = await organisation_with_contract(identity, engagement)
    page = await sign_in(context, admin)
    await page.goto("/admin/policy")
    await page.get_by_role("group", name="Messages with the coach").get_by_label("On").uncheck()
    await page.get_by_role("button", name="Review the change").click()
    await page.get_by_label("Why").fill("messaging pauses while legal reviews it")
    await page.get_by_role("button", name="Save the policy").click()
    assert "The policy is saved" in await page.inner_text("main")
    theirs = await browser.new_context(base_url=web.url)
    try:
        board = await sign_in(theirs, coach)

        async def left_out() -> bool:
            await board.goto("/dashboard")
            return "switched off" in await board.inner_text("main")

        await eventually(left_out, timeout=10)
        shown = await board.inner_text("main")
        assert "Your organisation has switched off messages: this page leaves it out." in shown
        assert "messaging.enabled" not in shown  # the policy's key is not for people
        line = board.get_by_role("listitem").filter(has=board.get_by_role("heading",
                                                                          name="Amira Haddad"))
        assert await line.get_by_role("link", name="Check-ins").count() == 1
        assert await line.get_by_role("link", name="Messages").count() == 0  # not offered
    finally:
        await theirs.close()


async def test_community_switched_off_leaves_the_community_link_out_of_the_menu(
        browser: Browser, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    # found by a newcomer: the menu offered Community to an organisation that had switched
    # it off, and the page behind it only said so
    admin, coach, coachee, _ = await organisation_with_contract(identity, engagement)
    menu_links = []
    for switched_on in (True, False):
        if not switched_on:
            await expect(await identity.client.patch(
                f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers,
                json={"changes": {"community.enabled": False}, "reason": "a pause"}), 200)
        for person in (coach, coachee):
            theirs = await browser.new_context(base_url=web.url)
            try:
                page = await sign_in(theirs, person)
                menu = page.get_by_role("navigation", name="Main")
                menu_links.append(await menu.get_by_role("link", name="Community").count())
            finally:
                await theirs.close()
    assert menu_links == [1, 1, 0, 0]
