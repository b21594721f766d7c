"""The org admin's security policy: each block explained, a change's effect said before it
is saved, and saved at identity with the reason."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, BrowserContext

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.web.testing import RunningWeb

from .conftest import PHONE
from .people import checked, expect, organisation_with_contract, sign_in

pytestmark = pytest.mark.browser


async def test_the_admin_switches_the_community_off_after_reading_what_it_does(
        browser: Browser, context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    admin, *_ = await organisation_with_contract(identity, engagement)
    page = await sign_in(context, admin)
    await page.get_by_role("link", name="Security policy").first.click()
    violations = await checked(page, "admin-policy", "desktop")
    community = page.get_by_role("group", name="Community", exact=True)
    assert "Confidential cohorts of peers" in await community.inner_text()
    await community.get_by_label("On").uncheck()
    await page.get_by_role("button", name="Review the change").click()
    assert "Community: from on to off" in await page.inner_text("main")
    assert "Every cohort and peer circle closes" in await page.inner_text("main")
    violations += await checked(page, "admin-policy-review", "desktop")
    before = await expect(await identity.client.get(
        f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers), 200)
    assert before["policy"]["community.enabled"] is True  # nothing saved by the review
    await page.get_by_label("Why").fill("the cohorts start next quarter")
    await page.get_by_role("button", name="Save the policy").click()
    assert "The policy is saved" in await page.inner_text("main")
    after = await expect(await identity.client.get(
        f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers), 200)
    assert after["policy"]["community.enabled"] is False
    assert after["version"] == before["version"] + 1

    phone = await browser.new_context(base_url=web.url, viewport=PHONE)
    try:
        small = await sign_in(phone, admin)
        await small.goto("/admin/policy")
        violations += await checked(small, "admin-policy", "phone")
    finally:
        await phone.close()
    assert violations == []
