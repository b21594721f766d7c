"""The coaches' peer circle: a coach opens one, invites a fellow coach of the organisation by
name (coachees are never offered), who joins and posts; both see the circle under their
names."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb

from .conftest import DESKTOP, PHONE
from .people import checked, sign_in

pytestmark = pytest.mark.browser


async def test_a_coach_opens_a_peer_circle_and_a_fellow_coach_joins_it(
        browser: Browser, web_with_community: RunningWeb, identity: RunningIdentity) -> None:
    admin = await identity.organisation("Northwind")
    claire = await identity.member(admin, "coach", name="Claire Coach")
    hugo = await identity.member(admin, "coach", name="Hugo Hart")
    await identity.member(admin, "coachee", name="Amira Haddad")
    host = await browser.new_context(base_url=web_with_community.url, viewport=DESKTOP)
    fellow = await browser.new_context(base_url=web_with_community.url, viewport=PHONE)
    try:
        her = await sign_in(host, claire)
        await her.goto("/community")
        await her.get_by_label("A peer circle: fellow coaches of your organisation").check()
        await her.get_by_label("The shared challenge").fill("Supervision on Thursdays")
        await her.get_by_label("Members appear to each other by pseudonym").uncheck()
        await her.get_by_role("button", name="Open the space").click()
        assert "Your peer circle is open" in await her.inner_text("main")
        assert "A peer circle: coaches among themselves" in await her.inner_text("main")
        offered = await her.get_by_label("Invite a fellow coach").inner_text()
        assert "Hugo Hart" in offered and "Amira Haddad" not in offered
        assert "Claire Coach" not in offered
        violations = await checked(her, "coach-peer-circle", "desktop")

        async def invited() -> bool:  # community learns who is a coach from identity's events
            await her.get_by_label("Invite a fellow coach").select_option(label="Hugo Hart")
            await her.get_by_role("button", name="Invite").click()
            return "Invited" in await her.inner_text("main")

        await eventually(invited, what="the fellow coach invited")
        circle = her.url.removeprefix(web_with_community.url)

        his = await sign_in(fellow, hugo)
        await his.goto("/community")
        assert "a peer circle of coaches" in await his.inner_text("main")
        await his.get_by_role("link", name="Supervision on Thursdays").click()
        await his.get_by_role("button", name="Join").click()
        assert "You appear here as Hugo Hart" in await his.inner_text("main")
        await his.get_by_label("Share with the space").fill("A client keeps cancelling")
        await his.get_by_role("button", name="Post", exact=True).click()
        violations += await checked(his, "coach-peer-circle", "phone")

        await her.goto(circle)
        main = await her.inner_text("main")
        assert "A client keeps cancelling" in main and "Hugo Hart" in main
    finally:
        await host.close()
        await fellow.close()
    assert violations == []
