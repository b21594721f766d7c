"""Peer circles across organisations, in the browser (ADR 0015): Northwind and Southwind both
open their circles to each other; Sofia of Southwind finds Claire's pseudonymous circle of
Northwind, marked as another organisation's, asks to join; Claire sees "a coach of another
organisation" asking and admits; Sofia joins under a pseudonym and sees the circle's people
only by pseudonym, its host as "the circle's host", and no way to show her name there."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from interlude.community.testing import RunningCommunity
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb

from ..community.cohort import create_space, switched
from .conftest import DESKTOP, PHONE
from .people import checked_at_both_widths, sign_in

pytestmark = pytest.mark.browser
CIRCLE = "Endings across organisations"
KEY = "community.circles_across_organisations"


async def test_a_coach_finds_a_circle_of_another_organisation_and_takes_part_by_pseudonym(
        browser: Browser, web_with_community: RunningWeb, identity: RunningIdentity,
        community: RunningCommunity) -> None:
    north, south = (await identity.organisation("Northwind"),
                    await identity.organisation("Southwind"))
    claire = await identity.member(north, "coach", name="Claire Coach")
    sofia = await identity.member(south, "coach", name="Sofia Seeker")
    for admin in (north, south):
        await switched(identity, community, admin, {KEY: True})
    circle = await create_space(community, claire, kind="peer_circle", name=CIRCLE,
                                pseudonymous=True, challenges=["endings"], findable=True)
    host = await browser.new_context(base_url=web_with_community.url, viewport=DESKTOP)
    seeker = await browser.new_context(base_url=web_with_community.url, viewport=PHONE)
    try:
        her, his = await sign_in(host, claire), await sign_in(seeker, sofia)
        await his.goto("/community/circles")
        await his.get_by_label("A challenge your clients bring").fill("endings")

        async def found() -> bool:
            await his.get_by_role("button", name="Search").click()
            return CIRCLE in await his.inner_text("main")

        await eventually(found, timeout=10, what="the circle of Northwind found")
        shown = await his.inner_text("main")
        assert "A circle of another organisation" in shown and "Claire" not in shown
        violations = await checked_at_both_widths(his, "find-a-circle-elsewhere")
        await his.get_by_label("A word to its members").fill("I coach leaders who leave")
        await his.get_by_role("button", name="Ask to join").click()
        assert "You asked to join" in await his.inner_text("main")

        requests = her.get_by_role("list", name="Coaches asking to join")

        async def asking() -> bool:  # Sofia's request, once community's read side has it
            await her.goto(f"/community/{circle}")
            return "a coach of another organisation" in await requests.inner_text()

        await eventually(asking, what="Sofia's request shown to Claire")
        assert "Sofia" not in await her.inner_text("main")
        await requests.get_by_role("button", name="Admit").click()
        assert "Admitted" in await her.inner_text("main")

        await his.goto("/community")
        await his.get_by_role("link", name=CIRCLE).click()
        await his.get_by_label("Your pseudonym").fill("Far Heron")
        await his.get_by_role("button", name="Join").click()
        main = await his.inner_text("main")
        assert "You appear here as Far Heron" in main and "A circle of another organisation" in main
        assert "the circle's host" in main and "Claire" not in main
        assert await his.get_by_role("button", name="Show my name").count() == 0
        violations += await checked_at_both_widths(his, "circle-elsewhere-guest")
        async def joined() -> bool:
            await her.goto(f"/community/{circle}")
            return "Far Heron" in await her.inner_text("main")

        await eventually(joined, what="Far Heron among the circle's members")
        assert "Sofia" not in await her.inner_text("main")
    finally:
        await host.close()
        await seeker.close()
    assert violations == []
