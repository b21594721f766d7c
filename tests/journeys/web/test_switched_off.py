"""What an organisation switched off is not offered: no menu entry, link or button leads to a
refusal, and a page that can show the rest does (found walking the demo as its people).
The pages say so in words, under a title that blames no one's account, and the browser's
console stays clean."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, ConsoleMessage

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.web.testing import RunningWeb

from ..engagement.journey import set_policy
from .conftest import DESKTOP
from .people import organisation_with_contract, sign_in

pytestmark = pytest.mark.browser
OFF = {"checkins.enabled": False, "materials.enabled": False, "sponsor_reports.enabled": False,
       "export.self_service": False, "messaging.enabled": False}


async def test_features_switched_off_are_left_out_of_menus_links_and_pages(
        browser: Browser, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    admin, _coach, coachee, contract_id = await organisation_with_contract(identity, engagement)
    sponsor = await identity.member(admin, "sponsor", name="Sam Sponsor")
    await set_policy(identity, engagement, admin, OFF)
    contract = f"/contracts/{contract_id}"
    errors: list[str] = []

    def noted(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url')})")

    context = await browser.new_context(base_url=web.url, viewport=DESKTOP)
    context.on("console", noted)
    try:
        me = await sign_in(context, coachee)
        # her growth record without check-ins: what she learned and achieved is still hers
        growth = await me.goto(f"{contract}/growth")
        assert growth is not None and growth.status == 200
        record = await me.inner_text("main")
        assert "switched off check-ins" in record and "What you learned" in record
        await me.goto(contract)
        assert await me.get_by_role("link", name="Materials from your coach").count() == 0
        await me.goto(f"{contract}/materials")  # a bookmark: said, and nothing is "not shared"
        shown = await me.inner_text("main")
        assert "switched off materials" in shown and "Nothing shared" not in shown
        await me.goto("/my-data")
        assert "switched off exporting your own data" in await me.inner_text("main")
        assert await me.get_by_role("button", name="Export my data").count() == 0
        thread = await me.goto(f"{contract}/messages")
        assert thread is not None and thread.status == 403
        assert await me.title() == "Switched off by your organisation · Interlude"
    finally:
        await context.close()

    context = await browser.new_context(base_url=web.url, viewport=DESKTOP)
    context.on("console", noted)
    try:
        theirs = await sign_in(context, sponsor)
        menu = theirs.get_by_role("navigation", name="Main")
        assert await menu.get_by_role("link", name="Programme figures").count() == 0
        assert await theirs.get_by_role("link", name="Programme figures").count() == 0
        start = await theirs.inner_text("main")
        assert "switched off sponsor reports" in start
        assert "your coaching" not in start  # a sponsor is not the one coached
        assert "your coach" not in await theirs.inner_text("footer")
    finally:
        await context.close()
    # the one refusal asked for above, and nothing else (no missing icon on every first page)
    assert [e for e in errors if "403" not in e] == []
