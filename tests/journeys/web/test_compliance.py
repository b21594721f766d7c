"""The compliance officer in the browser: the audit trail searched by action and outcome, with
people named and no content, and paged; the trail verified with its last signed checkpoint; a
person forgotten, and web holding no session of theirs afterwards. A purge or an erasure
refused says why as a problem, beside the form that was sent."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser

from interlude.audit.testing import RunningAudit
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb, running_web

from .conftest import DESKTOP, PHONE
from .people import checked, expect, opened, organisation_with_contract, sign_in

pytestmark = pytest.mark.browser
CHECK_IN = "I dread the reorganisation meeting"


@pytest.fixture
async def web_with_audit(identity: RunningIdentity, engagement: RunningEngagement,
                         audit: RunningAudit) -> AsyncIterator[RunningWeb]:
    async with running_web({"identity": identity.app, "engagement": engagement.app,
                            "audit": audit.app}) as running:
        yield running


async def test_the_officer_finds_who_did_what_and_sees_the_trail_verified(
        browser: Browser, web_with_audit: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement, audit: RunningAudit) -> None:
    admin, coach, coachee, contract_id = await organisation_with_contract(identity, engagement)
    officer = await identity.member(admin, "compliance_officer", name="Carla Compliance")
    await expect(await engagement.client.post(
        f"/v1/contracts/{contract_id}/check-ins", headers=coachee.headers,
        json={"text": CHECK_IN, "mood": 2}), 201)
    assert await identity.sign_in_status(coach.email, "not the password") == 401

    async def arrived() -> bool:
        found = await audit.client.get("/v1/audit/records", headers=officer.headers,
                                       params={"action": "engagement.CheckInPosted"})
        return bool(found.json()["records"])

    await eventually(arrived, timeout=10)
    await audit.checkpointer.sign_now(admin.tenant_id, datetime.now(UTC))
    context = await browser.new_context(base_url=web_with_audit.url, viewport=DESKTOP)
    phone = await browser.new_context(base_url=web_with_audit.url, viewport=PHONE)
    hers = await browser.new_context(base_url=web_with_audit.url, viewport=PHONE)
    try:
        await sign_in(hers, coachee)  # Amira is signed in: web holds her session
        [her_session] = [c["value"] for c in await hers.cookies()
                         if c["name"] == "interlude_session"]
        store = web_with_audit.app.state.web.store
        assert store.get(her_session) is not None
        page = await sign_in(context, officer)
        await page.get_by_role("link", name="Audit trail").first.click()
        await page.get_by_label("Action").fill("identity.login")
        await page.get_by_label("Outcome").select_option("denied")
        await page.get_by_role("button", name="Search").click()
        results = await page.inner_text("main")
        assert "1 record found" in results and "By Claire Coach" in results
        violations = await checked(page, "audit-search", "desktop")
        # she knows people by name, not by id: the name finds the same record
        await page.goto("/compliance/audit?outcome=denied")
        await page.get_by_label("Who acted").fill("claire coach")
        await page.get_by_role("button", name="Search").click()
        results = await page.inner_text("main")
        assert "1 record found" in results and "By Claire Coach" in results
        assert await page.get_by_label("Who acted").input_value() == "claire coach"

        await page.goto("/compliance/audit?action=engagement.CheckInPosted")
        await page.get_by_text("in full").click()
        shown = await page.inner_text("main")
        assert "By Amira Haddad" in shown
        assert re.search(r"About\n[^\n]*Amira Haddad", shown), shown  # the data subjects
        assert "dread" not in shown

        await page.goto("/compliance/audit?order=oldest&limit=3")
        first = await page.get_by_role("list", name="Records").inner_text()
        assert "organisation" in first.lower()  # the oldest: the organisation registered
        await page.get_by_role("link", name="Next 3 records").click()
        second = await page.get_by_role("list", name="Records").inner_text()
        assert second != first and "limit=3" in page.url and "cursor=" in page.url
        await page.get_by_role("link", name="Is the trail intact?").click()
        verified = await page.inner_text("main")
        assert "Verified." in verified and "Last signed checkpoint" in verified
        assert "Records covered" in verified
        violations += await checked(page, "audit-verification", "desktop")
        async with page.expect_download() as download:
            await page.get_by_role("link", name="The whole trail as OCSF events").click()
        saved = await (await download.value).path()
        events = [json.loads(line) for line in saved.read_text().splitlines()]
        assert events and all("class_uid" in event for event in events)
        assert CHECK_IN not in saved.read_text()
        await page.get_by_label("Why purge now").fill("   ")  # blank once trimmed: refused
        await page.get_by_role("button", name="Purge what is past retention").click()
        said = page.locator("main .problem")  # as a problem, not as a note that it was done
        assert "Please check reason" in await said.inner_text()
        assert "Please check reason" not in await page.locator("main .notice").all_inner_texts()
        await page.get_by_label("Why purge now").fill("the yearly retention run")
        await page.get_by_role("button", name="Purge what is past retention").click()
        assert "nothing was purged" in await page.inner_text("main")

        await page.get_by_role("link", name="Erasure requests").click()
        violations += await checked(page, "erasure", "desktop")
        person = await opened(page, "Amira Haddad")
        await person.get_by_label("The request").fill("   ")
        await person.get_by_role("button", name="Forget Amira Haddad for good").click()
        # refused: said in her entry, left open, not as a note at the top of the page
        person = page.get_by_role("listitem").filter(
            has=page.get_by_role("heading", name="Amira Haddad"))
        assert "Please check reason" in await person.locator(".problem").inner_text()
        await person.get_by_label("The request").fill("request by e-mail, ticket 4711")
        await person.get_by_role("button", name="Forget Amira Haddad for good").click()
        assert "The erasure is under way" in await page.inner_text("main")

        async def forgotten() -> bool:
            found = await identity.client.get(
                f"/v1/organisations/{admin.tenant_id}/users/{coachee.user_id}",
                headers=officer.headers)
            return found.status_code == 404 or found.json()["status"] == "forgotten"

        await eventually(forgotten, timeout=10)
        # web let go of her session at once: the id is gone, and so is her cookie's power
        assert store.get(her_session) is None
        stolen = await hers.new_page()
        await stolen.goto("/home")
        assert "/sign-in" in stolen.url
        small = await sign_in(phone, officer)
        await small.goto("/compliance/audit?action=identity.login")
        violations += await checked(small, "audit-search", "phone")
        assert violations == []
    finally:
        await context.close()
        await phone.close()
        await hers.close()
