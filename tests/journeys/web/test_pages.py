"""Every main page at desktop and phone width: axe-core finds no serious or critical
violation, and a screenshot of each lands in build/screenshots for people to look at."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from interlude.engagement.testing import RunningEngagement, terms
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb

from .conftest import DESKTOP, PHONE, SCREENSHOTS
from .people import checked, contract_between, expect, organisation_with_contract, sign_in

pytestmark = pytest.mark.browser
# what people paste: a link is one long word, and a phone's screen must still hold it
LINK = "https://example.org/r?ref=8f3a9c2e71d04b6a9e55c1f0b2d7a4e6c3f9018b7e2d5a6c40e1"


async def _walk(browser: Browser, web: RunningWeb, person: Person | None,
                pages: dict[str, str]) -> list[str]:
    found: list[str] = []
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = await browser.new_context(base_url=web.url, viewport=viewport)
        try:
            page = await sign_in(context, person) if person else await context.new_page()
            for name, path in pages.items():
                response = await page.goto(path)
                assert response is not None and response.ok, (path, response)
                found += await checked(page, name, width)
        finally:
            await context.close()
    return found


async def test_every_main_page_is_accessible_at_desktop_and_phone_width(
        browser: Browser, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    coach, coachee, contract_id = await contract_between(identity, engagement)
    path = f"/v1/contracts/{contract_id}"
    await expect(await engagement.client.post(f"{path}/check-ins", headers=coachee.headers,
                                              json={"text": f"a calmer week, thanks to {LINK}",
                                                    "mood": 4, "small_win": True}), 201)
    await expect(await engagement.client.post(f"{path}/messages", headers=coachee.headers,
                                              json={"body": "thank you for Tuesday"}), 201)
    await expect(await engagement.client.post(f"{path}/messages", headers=coach.headers,
                                              json={"body": f"a pleasure: read {LINK}"}), 201)
    await expect(await engagement.client.post(f"{path}/goals", headers=coachee.headers,
                                              json={"title": "speak up on Mondays"}), 201)
    await expect(await engagement.client.post(f"{path}/experiments", headers=coachee.headers,
                                              json={"belief": "they will mind",
                                                    "behaviour": "disagree once"}), 201)
    contract = f"/contracts/{contract_id}"
    violations = await _walk(browser, web, None, {
        "start": "/", "sign-in": "/sign-in",
        "sign-in-organisation": f"/sign-in/organisation/{coach.tenant_id}"})
    violations += await _walk(browser, web, coachee, {
        "coachee-home": "/home", "check-in": f"{contract}/check-in",
        "coachee-thread": f"{contract}/messages", "contract": contract,
        "coachee-check-ins": f"{contract}/check-ins", "goals": f"{contract}/goals",
        "sessions": f"{contract}/sessions"})
    violations += await _walk(browser, web, coach, {
        "coach-dashboard": "/dashboard", "coach-check-ins": f"{contract}/check-ins",
        "coach-brief": f"{contract}/brief",
        "coach-thread": f"{contract}/messages", "coach-propose": "/contracts/new",
        "amend": f"{contract}/amendment"})
    assert violations == []
    assert len(list(SCREENSHOTS.glob("*-phone.png"))) >= 10


async def test_a_sponsor_sees_no_figures_for_a_group_too_small_to_stay_anonymous(
        browser: Browser, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    admin, coach, _coachee, _ = await organisation_with_contract(identity, engagement)
    sponsor = await identity.member(admin, "sponsor", name="Sam Sponsor")
    ben = await identity.member(admin, "coachee", name="Ben Brown")
    written = await expect(await engagement.client.post(
        "/v1/contracts", headers=coach.headers, json={
            "coachee_id": ben.user_id,
            "sponsor_id": sponsor.user_id, "terms": terms()}), 201)
    for party in (coach, ben, sponsor):
        await expect(await engagement.client.post(
            f"/v1/contracts/{written['id']}/signatures", headers=party.headers, json={}), 200)
    context = await browser.new_context(base_url=web.url, viewport=DESKTOP)
    try:
        page = await sign_in(context, sponsor)
        assert page.url.endswith("/")
        await page.get_by_role("link", name="Programme figures").first.click()

        async def listed() -> bool:
            await page.reload()
            return "Leadership 2026" in await page.inner_text("main")

        await eventually(listed, timeout=10)  # the sponsor's read model follows the signatures
        shown = await page.inner_text("main")
        assert "No figures" in shown and "Ben" not in shown and "Amira" not in shown
    finally:
        await context.close()
    assert await _walk(browser, web, sponsor, {"sponsor": "/sponsor"}) == []
