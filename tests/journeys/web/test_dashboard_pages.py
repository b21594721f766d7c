"""A coach with more coachees than a page holds: the dashboard says how many she has and how
many need her now, shows the first twenty, and a plain link (no JavaScript needed) leads to the
rest and back to the first page."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from interlude.engagement.testing import RunningEngagement, terms
from interlude.identity.testing import RunningIdentity
from interlude.web.testing import RunningWeb

from .conftest import DESKTOP
from .people import expect, sign_in

pytestmark = pytest.mark.browser
COACHEES = 21  # one more than the first page


async def test_the_next_link_leads_a_coach_through_every_coachee_without_javascript(
        browser: Browser, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    api = engagement.client
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    names = [f"Coachee {i:02}" for i in range(COACHEES)]
    for name in names:
        coachee = await identity.member(admin, "coachee", name=name)
        written = await expect(await api.post("/v1/contracts", headers=coach.headers, json={
            "coachee_id": coachee.user_id, "terms": terms()}), 201)
        for person in (coach, coachee):
            await expect(await api.post(f"/v1/contracts/{written['id']}/signatures",
                                        headers=person.headers, json={}), 200)
    context = await browser.new_context(base_url=web.url, viewport=DESKTOP,
                                        java_script_enabled=False)
    try:
        board = await sign_in(context, coach)
        assert board.url.endswith("/dashboard")
        assert await board.inner_text("#caseload") == (
            f"{COACHEES} coachees; {COACHEES} need your attention now.")
        first = await board.locator("#coachees > li h2").all_inner_texts()
        assert len(first) == 20 and await board.get_by_role("link", name="First page").count() == 0
        await board.get_by_role("link", name="Next coachees").click()
        rest = await board.locator("#coachees > li h2").all_inner_texts()
        assert sorted(first + rest) == names  # each coachee once, over the two pages
        assert await board.get_by_role("link", name="Next coachees").count() == 0
        assert await board.inner_text("#caseload") == (
            f"{COACHEES} coachees; {COACHEES} need your attention now.")
        await board.get_by_role("link", name="First page").click()
        assert await board.locator("#coachees > li h2").all_inner_texts() == first
        refused = await board.goto("/dashboard?cursor=not-one")  # made up: the first page
        assert refused is not None and refused.status == 400
        assert "was not one this page gave" in await board.inner_text("[role=alert]")
        assert await board.locator("#coachees > li h2").all_inner_texts() == first
    finally:
        await context.close()
