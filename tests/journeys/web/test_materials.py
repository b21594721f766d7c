"""Materials in the browser: Claire shares a link with Amira with a note on why now (a link
that is not http(s) is refused, what she typed kept); Amira sees it on her home page, opens it
and marks it done with a reflection; Claire sees it done with the reflection, and her
dashboard counts it. The link is shown as a link, never fetched by web. Where the
organisation switched materials off, the page says so."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, BrowserContext

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb

from ..engagement.journey import set_policy
from .conftest import DESKTOP, PHONE
from .people import checked_at_both_widths, contract_between, organisation_with_contract, sign_in

pytestmark = pytest.mark.browser
LINK = "https://example.org/saying-no"
NOTE = "You said Tuesday that no feels rude: this reframes it."


async def test_a_coach_shares_a_link_and_sees_it_done_with_the_reflection(
        browser: Browser, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    coach, coachee, contract_id = await contract_between(identity, engagement)
    contexts = [await browser.new_context(base_url=web.url, viewport=viewport)
                for viewport in (DESKTOP, PHONE)]
    try:
        her, amira = await sign_in(contexts[0], coach), await sign_in(contexts[1], coachee)
        await her.goto("/dashboard")
        await her.get_by_role("link", name="Materials for Amira Haddad").click()
        assert "Materials for Amira Haddad" in await her.inner_text("h1")
        await her.get_by_label("It is").select_option(label="A link")
        await her.get_by_label("Title").fill("The positive no")
        await her.get_by_label("Link (optional)").fill("ftp://example.org/saying-no")
        await her.get_by_label("Why now (optional)").fill(NOTE)
        await her.get_by_role("button", name="Share").click()
        assert "A link starts with https://" in await her.inner_text("main")
        assert await her.get_by_label("Title").input_value() == "The positive no"
        assert await her.get_by_label("Why now (optional)").input_value() == NOTE
        await her.get_by_label("Link (optional)").fill(LINK)
        await her.get_by_role("button", name="Share").click()
        main = await her.inner_text("main")
        assert "Shared: your coachee sees it" in main and "not opened yet" in main
        violations = await checked_at_both_widths(her, "coach-materials")

        await amira.goto("/home")
        home = await amira.inner_text("main")
        assert "Materials from your coach" in home and "The positive no" in home
        await amira.get_by_role("link", name="Open the materials").click()
        assert NOTE in await amira.inner_text("main")
        link = amira.get_by_role("link", name=LINK)
        assert await link.get_attribute("rel") == "noopener noreferrer"
        await amira.get_by_role("button", name="Opened").click()
        assert "you opened it" in await amira.inner_text("main")
        await amira.get_by_label("What you took from it (optional)").fill(
            "No can be a kindness to both of us.")
        await amira.get_by_role("button", name="Done").click()
        main = await amira.inner_text("main")
        assert "Marked done" in main and "No can be a kindness to both of us." in main
        assert await amira.get_by_role("button", name="Done").count() == 0
        violations += await checked_at_both_widths(amira, "coachee-materials")

        await her.goto(f"/contracts/{contract_id}/materials")
        main = await her.inner_text("main")
        assert "done " in main and "No can be a kindness to both of us." in main

        async def counted() -> bool:  # the dashboard is a projection: it catches up
            await her.goto("/dashboard")
            return "Materials: 1 shared, 1 opened, 1 done" in await her.inner_text("main")

        await eventually(counted, what="the dashboard counting the material done")
    finally:
        for context in contexts:
            await context.close()
    assert violations == []


async def test_switched_off_materials_are_explained(
        context: BrowserContext, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    admin, _, coachee, contract_id = await organisation_with_contract(identity, engagement)
    await set_policy(identity, engagement, admin, {"materials.enabled": False})
    page = await sign_in(context, coachee)
    await page.goto("/home")
    assert "Materials from your coach" not in await page.inner_text("main")
    await page.goto(f"/contracts/{contract_id}/materials")
    assert "Your organisation has switched off materials shared by coaches" in \
        await page.inner_text("main")
