"""A coach proposes a contract to one of the organisation's coachees, choosing them by name
and every clause explained; both sign it in the browser and it is in force."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, BrowserContext

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb

from .conftest import PHONE
from .people import checked, expect, sign_in

pytestmark = pytest.mark.browser


async def test_a_coach_proposes_a_contract_and_both_sign_it(
        browser: Browser, context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    coachee = await identity.member(admin, "coachee", name="Amira Haddad")
    sponsor = await identity.member(admin, "sponsor", name="Sam Sponsor")
    page = await sign_in(context, coach)
    await page.get_by_role("link", name="Propose a contract").click()
    options = page.get_by_label("Coachee", exact=True)

    async def listed() -> bool:  # engagement and identity learn of new people from events
        await page.reload()
        return "Amira Haddad" in await options.inner_text()

    await eventually(listed, what="the coachee offered")
    assert "Claire Coach" not in await options.inner_text()  # coaches are not offered
    main = await page.inner_text("main")
    assert "Pinning my posts" in main and "withdraw each one at any time" in main
    violations = await checked(page, "coach-propose", "desktop")
    await options.select_option(label="Amira Haddad")
    await page.get_by_label("Sponsor (optional)").select_option(label="Sam Sponsor")
    await page.get_by_label("Programme").fill("Leadership 2027")
    await page.get_by_label("Number of sessions").fill("8")
    await page.get_by_label("Pinning my posts").check()

    async def proposed() -> bool:  # engagement may not know the coachee yet: sent again
        await page.get_by_role("button", name="Propose the contract").click()
        await page.wait_for_load_state()
        return "The contract is proposed" in await page.inner_text("main")

    await eventually(proposed, timeout=15, what="the contract proposed")
    assert "8 sessions over 6 months" in await page.inner_text("main")
    contract_id = page.url.rsplit("/", 1)[1]
    await page.get_by_role("button", name="Sign the terms").click()
    assert "You have signed the contract" in await page.inner_text("main")

    for party, last in ((coachee, False), (sponsor, True)):  # each on their phone
        phone = await browser.new_context(base_url=web.url, viewport=PHONE)
        try:
            small = await sign_in(phone, party)
            if party is coachee:  # her home names her coach
                home = await small.inner_text("main")
                assert "With your coach, Claire Coach" in home
                assert "Claire Coach has proposed a contract" in home
            await small.goto(f"/contracts/{contract_id}")
            assert "Leadership 2027" in await small.inner_text("main")
            await small.get_by_role("button", name="Sign the terms").click()
            signed = await small.inner_text("main")
            assert ("This contract is in force" in signed) is last
        finally:
            await phone.close()
    phone = await browser.new_context(base_url=web.url, viewport=PHONE)
    try:
        small = await sign_in(phone, coach)
        await small.goto("/contracts/new")
        violations += await checked(small, "coach-propose", "phone")
    finally:
        await phone.close()
    found = await expect(await engagement.client.get(f"/v1/contracts/{contract_id}",
                                                     headers=coach.headers), 200)
    assert found["status"] == "active" and found["terms"]["consents"]["pin_insights"] is True
    assert found["terms"]["sessions"]["count"] == 8
    assert violations == []


async def test_a_coachee_cannot_open_the_proposal_page(
        context: BrowserContext, web: RunningWeb, identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    coachee = await identity.member(admin, "coachee")
    page = await sign_in(context, coachee)
    response = await page.goto("/contracts/new")
    assert response is not None and response.status == 403
