"""Notifications in the browser: live updates relayed from notify (the badge, a coach's reply
in the thread, a check-in on the coach's dashboard) without reloading, the inbox and reading
it all, the e-mail preferences; the new pages keep the strict CSP and pass axe."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, Page
from playwright.async_api import expect as shows

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.notify.testing import RunningNotify
from interlude.shared.testing.eventually import eventually
from interlude.web.security import CSP
from interlude.web.testing import RunningWeb, running_web

from .conftest import DESKTOP, PHONE
from .people import checked, contract_between, expect, organisation_with_contract, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
async def web(identity: RunningIdentity, engagement: RunningEngagement,
              notify: RunningNotify) -> AsyncIterator[RunningWeb]:
    async with running_web({"identity": identity.app, "engagement": engagement.app,
                            "notify": notify.app}) as running:
        yield running


async def _live(page: Page) -> None:
    """The page's script has its stream open, and the page is marked: a reload would lose it."""
    await page.wait_for_selector("html[data-live=open]")
    await page.evaluate("window.notReloaded = true")


async def _not_reloaded(page: Page) -> bool:
    return bool(await page.evaluate("window.notReloaded === true"))


async def _unread(page: Page) -> int:
    """The count in the header (none shown: 0)."""
    badge = page.locator("#unread-badge")
    return int(await badge.locator(".badge").inner_text()) if await badge.is_visible() else 0


async def test_the_coach_replies_and_the_coachee_sees_it_live_then_reads_it(
        browser: Browser, context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement, notify: RunningNotify) -> None:
    coach, coachee, contract_id = await contract_between(identity, engagement)
    thread = f"/contracts/{contract_id}/messages"
    me = await sign_in(context, coachee)
    await me.goto(thread)
    await _live(me)
    before = await _unread(me)

    coach_context = await browser.new_context(base_url=web.url, viewport=DESKTOP)
    try:
        desk = await sign_in(coach_context, coach)
        await desk.goto(thread)
        await desk.get_by_label("Your message").fill("How did the review go?")
        await desk.get_by_role("button", name="Send").click()
        await shows(desk.locator("main")).to_contain_text("Your message is sent")
    finally:
        await coach_context.close()

    await shows(me.locator("#messages")).to_contain_text("How did the review go?")
    await shows(me.locator("#live-news")).to_contain_text("shown below")
    await eventually(lambda: _more(me, before), timeout=10)
    assert await _not_reloaded(me)

    await me.get_by_role("link", name="Notifications").click()
    item = me.locator("#notifications li").first
    await shows(item).to_contain_text("How did the review go?")  # the excerpt, hers only
    await shows(item).to_contain_text("New")
    await item.get_by_role("button").click()  # opened: read, and on to the thread
    await me.wait_for_url(f"**{thread}")
    await me.goto("/notifications")
    await shows(me.locator("#notifications li").first).not_to_have_class("card unread")

    await _live(me)
    await expect(await engagement.client.post(
        f"/v1/contracts/{contract_id}/messages", headers=coach.headers,
        json={"body": "And one more thought"}), 201)
    await shows(me.locator("#notifications")).to_contain_text("And one more thought")
    await me.get_by_role("button", name=re.compile("^Mark all")).click()
    await shows(me.locator("main")).to_contain_text("Everything is marked read")
    await shows(me.locator("#unread-badge")).to_be_hidden()
    assert await me.locator("#notifications .unread").count() == 0


async def _more(page: Page, than: int) -> bool:
    return await _unread(page) > than


async def test_a_check_in_appears_on_the_coachs_dashboard_without_reloading(
        browser: Browser, context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement, notify: RunningNotify) -> None:
    coach, coachee, contract_id = await contract_between(identity, engagement)
    board = await sign_in(context, coach)
    assert board.url.endswith("/dashboard")
    await _live(board)
    before = await _unread(board)
    assert "Low mood" not in await board.inner_text("#coachees")

    coachee_context = await browser.new_context(base_url=web.url, viewport=DESKTOP)
    try:
        me = await sign_in(coachee_context, coachee)
        await me.goto(f"/contracts/{contract_id}/check-in")
        await me.get_by_label("What happened, and how do you feel about it?").fill(
            "A hard week")
        await me.get_by_label("Very low").check()
        await me.get_by_role("button", name="Send to my coach").click()
        await me.wait_for_url("**/home")
    finally:
        await coachee_context.close()

    await shows(board.locator("#coachees")).to_contain_text("Low mood in the last check-in")
    await eventually(lambda: _more(board, before), timeout=10)
    assert await _not_reloaded(board)


async def test_the_preferences_are_saved_and_a_wrong_time_zone_is_explained(
        browser: Browser, context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement, notify: RunningNotify) -> None:
    admin, _coach, coachee, _ = await organisation_with_contract(identity, engagement)
    page = await sign_in(context, coachee)
    await page.goto("/notifications/preferences")
    # what only reaches a coach is not hers to choose
    assert await page.get_by_label("A coachee's check-in waits for you").count() == 0
    assert await page.get_by_label("A message from a coachee").count() == 0
    await page.get_by_label("Your coach replied").select_option("daily")
    await page.get_by_label("Quiet hours start").fill("22:00")
    await page.get_by_label("Quiet hours end").fill("07:30")
    await page.get_by_label("Your time zone").fill("Mars/Olympus")
    await page.get_by_role("button", name="Save my preferences").click()
    await shows(page.get_by_role("alert")).to_contain_text("not a time zone we know")
    assert await page.get_by_label("Quiet hours start").input_value() == "22:00"  # kept as typed

    await page.get_by_label("Your time zone").fill("Europe/Paris")
    await page.get_by_label("Daily and weekly digests arrive at").select_option("18")
    await page.get_by_role("button", name="Save my preferences").click()
    await shows(page.locator("main")).to_contain_text("Your notification preferences are saved")
    await page.reload()
    assert await page.get_by_label("Your coach replied").input_value() == "daily"
    assert await page.get_by_label("Your time zone").input_value() == "Europe/Paris"
    assert await page.get_by_label("Quiet hours end").input_value() == "07:30"
    assert await page.get_by_label("Daily and weekly digests arrive at").input_value() == "18"

    # an administrator is asked only about what reaches an administrator
    theirs = await browser.new_context(base_url=web.url, viewport=DESKTOP)
    try:
        desk = await sign_in(theirs, admin)
        await desk.goto("/notifications/preferences")
        assert await desk.get_by_label("The security policy changed").count() == 1
        for never_theirs in ("A comment on your post", "Your coach pinned an insight",
                             "A session tomorrow", "A contract to sign"):
            assert await desk.get_by_label(never_theirs).count() == 0, never_theirs
    finally:
        await theirs.close()
    assert await page.get_by_label("The security policy changed").count() == 0  # hers not

    # the organisation sends no e-mail: nothing to choose, and no link offers it
    await expect(await identity.client.patch(
        f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers,
        json={"changes": {"notify.channels": ["in_app"]}, "reason": "no e-mail"}), 200)
    later = await browser.new_context(base_url=web.url, viewport=DESKTOP)
    try:
        again = await sign_in(later, coachee)
        await again.goto("/notifications")
        assert await again.get_by_role("link", name="E-mail preferences").count() == 0
        await again.goto("/notifications/preferences")
        assert "does not send notifications by e-mail" in await again.inner_text("main")
        assert await again.get_by_role("button", name="Save my preferences").count() == 0
    finally:
        await later.close()


async def test_the_new_pages_keep_the_strict_csp_and_are_accessible(
        browser: Browser, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement, notify: RunningNotify) -> None:
    coach, coachee, contract_id = await contract_between(identity, engagement)
    await expect(await engagement.client.post(
        f"/v1/contracts/{contract_id}/messages", headers=coach.headers,
        json={"body": "see you Thursday"}), 201)
    violations: list[str] = []
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        made = await browser.new_context(base_url=web.url, viewport=viewport)
        try:
            page = await sign_in(made, coachee)
            for name, path in (("notifications", "/notifications"),
                               ("notification-preferences", "/notifications/preferences")):
                answer = await page.goto(path)
                assert answer is not None and answer.ok
                assert answer.headers["content-security-policy"] == CSP
                assert "script-src 'self'" in CSP and "unsafe" not in CSP
                assert await page.locator("script:not([src])").count() == 0
                if name == "notifications":
                    await shows(page.locator("#notifications")).to_contain_text(
                        "see you Thursday")
                violations += await checked(page, name, width)
        finally:
            await made.close()
    assert violations == []


async def test_without_javascript_the_inbox_works_by_reloading(
        browser: Browser, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement, notify: RunningNotify) -> None:
    coach, coachee, contract_id = await contract_between(identity, engagement)
    made = await browser.new_context(base_url=web.url, viewport=DESKTOP,
                                     java_script_enabled=False)
    try:
        page = await sign_in(made, coachee)
        await expect(await engagement.client.post(
            f"/v1/contracts/{contract_id}/messages", headers=coach.headers,
            json={"body": "a note for later"}), 201)

        async def arrived() -> bool:
            await page.goto("/notifications")
            return "a note for later" in await page.inner_text("main")

        await eventually(arrived, timeout=10)
        await shows(page.locator("#unread-badge")).to_be_visible()
        await page.locator("#notifications li").first.get_by_role("button").click()
        await page.wait_for_url(f"**/contracts/{contract_id}/messages")
        await shows(page.locator("#messages")).to_contain_text("a note for later")
        await page.goto("/notifications")
        await shows(page.locator("#notifications li").first).not_to_have_class("card unread")
        await page.get_by_role("button", name=re.compile("^Mark all")).click()
        await shows(page.locator("#unread-badge")).to_be_hidden()
        await page.goto(f"/contracts/{contract_id}/thread")  # notify's address for it
        assert page.url.endswith(f"/contracts/{contract_id}/messages")
    finally:
        await made.close()
