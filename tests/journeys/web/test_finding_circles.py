"""Peer circles that find each other, in the browser: Claire opens a findable circle about
burnout; Hugo searches by that challenge, asks to join with a note; Claire sees the request in
the circle's page and admits him; Hugo joins from his Community page."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb

from .conftest import DESKTOP, PHONE
from .people import checked_at_both_widths, sign_in

pytestmark = pytest.mark.browser
CIRCLE = "Endings that stay kind"


async def test_a_coach_finds_a_circle_by_a_challenge_asks_and_is_admitted(
        browser: Browser, web_with_community: RunningWeb, identity: RunningIdentity) -> None:
    admin = await identity.organisation("Northwind")
    claire = await identity.member(admin, "coach", name="Claire Coach")
    hugo = await identity.member(admin, "coach", name="Hugo Hart")
    host = await browser.new_context(base_url=web_with_community.url, viewport=DESKTOP)
    seeker = await browser.new_context(base_url=web_with_community.url, viewport=PHONE)
    try:
        her = await sign_in(host, claire)
        await her.goto("/community")
        await her.get_by_label("A peer circle: fellow coaches of your organisation").check()
        await her.get_by_label("The shared challenge").fill(CIRCLE)
        await her.get_by_label("Members appear to each other by pseudonym").uncheck()
        await her.get_by_label("The way you work").fill("solution-focused")
        await her.get_by_label("Challenges your clients bring").fill("burnout, endings")
        await her.get_by_label("The setting").fill("Public sector managers")
        await her.get_by_label("Coaches of the organisation may find it").check()
        await her.get_by_role("button", name="Open the space").click()
        assert "Your peer circle is open" in await her.inner_text("main")
        circle = her.url

        his = await sign_in(seeker, hugo)
        await his.goto("/community")
        await his.get_by_role("link", name="Find a peer circle").click()
        await his.get_by_label("A challenge your clients bring").fill("burnout")

        async def found() -> bool:  # community learns who is a coach from identity's events
            await his.get_by_role("button", name="Search").click()
            return CIRCLE in await his.inner_text("main")

        await eventually(found, timeout=10, what="the circle found")
        shown = await his.inner_text("main")
        assert "solution-focused" in shown and "Public sector managers" in shown
        assert "Claire Coach" not in shown  # what it is about, never who
        violations = await checked_at_both_widths(his, "find-a-peer-circle")
        await his.get_by_label("A word to its members").fill("I coach two burnt-out leads")
        await his.get_by_role("button", name="Ask to join").click()
        assert "You asked to join" in await his.inner_text("main")
        assert await his.get_by_label("A challenge your clients bring").input_value() == "burnout"

        await her.goto(circle)
        requests = her.get_by_role("list", name="Coaches asking to join")
        assert "I coach two burnt-out leads" in await requests.inner_text()
        violations += await checked_at_both_widths(her, "peer-circle-requests")
        await requests.get_by_role("button", name="Admit").click()
        assert "Admitted" in await her.inner_text("main")

        await his.goto("/community")
        await his.get_by_role("link", name=CIRCLE).click()
        await his.get_by_role("button", name="Join").click()
        assert "You appear here as Hugo Hart" in await his.inner_text("main")
    finally:
        await host.close()
        await seeker.close()
    assert violations == []
