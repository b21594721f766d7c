"""The org admin's webhooks in the browser (there was no page for them: an administrator could
tick Webhooks in the policy and find nowhere to add one). The menu offers the page once the
policy lets notify use webhooks, at once for the admin who saved it; an address is added with
what it is told, its secret shown only on that answer; a refusal comes back beside the form
with what was typed; an endpoint is removed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.notify.testing import RunningNotify
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb, running_web

from .conftest import DESKTOP
from .people import checked_at_both_widths, organisation_with_contract, sign_in

pytestmark = pytest.mark.browser
HOOK = "https://hooks.example.com/interlude"


@pytest.fixture
async def web(identity: RunningIdentity, engagement: RunningEngagement,
              notify: RunningNotify) -> AsyncIterator[RunningWeb]:
    async with running_web({"identity": identity.app, "engagement": engagement.app,
                            "notify": notify.app}) as running:
        yield running


async def test_the_admin_adds_a_webhook_once_the_policy_allows_them(
        browser: Browser, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement, notify: RunningNotify) -> None:
    admin, *_ = await organisation_with_contract(identity, engagement)
    context = await browser.new_context(base_url=web.url, viewport=DESKTOP)
    try:
        page = await sign_in(context, admin)
        menu = page.get_by_role("navigation", name="Main")
        assert await menu.get_by_role("link", name="Webhooks").count() == 0  # not allowed yet
        await page.goto("/admin/policy")
        await page.get_by_role("group", name="How people are told").get_by_label(
            "Webhooks").check()
        await page.get_by_role("button", name="Review the change").click()
        await page.get_by_label("Why").fill("our HR system listens")
        await page.get_by_role("button", name="Save the policy").click()
        await menu.get_by_role("link", name="Webhooks").click()  # offered at once

        async def open_to_them() -> bool:  # notify's copy of the policy follows
            await page.reload()
            return await page.get_by_role("button", name="Add the webhook").count() == 1

        await eventually(open_to_them, timeout=10, what="the webhooks page open")
        await page.get_by_label("Address").fill(HOOK)
        await page.get_by_role("button", name="Add the webhook").click()
        alert = page.locator("#webhook-error")
        assert "Tick at least one kind" in await alert.inner_text()
        assert await page.get_by_label("Address").input_value() == HOOK  # kept
        await page.get_by_label("Your coach replied").check()
        await page.get_by_role("button", name="Add the webhook").click()
        secret = await page.locator("#secret").inner_text()
        assert secret.startswith("whsec_")
        listed = await page.get_by_role("list", name="Webhooks").inner_text()
        assert HOOK in listed and "Your coach replied" in listed
        violations = await checked_at_both_widths(page, "admin-webhooks")

        await page.goto("/admin/webhooks")  # shown once: never again
        assert secret not in await page.content()
        await page.get_by_role("button", name=f"Remove {HOOK}").click()
        assert "The webhook is removed" in await page.inner_text("main")
        assert HOOK not in await page.get_by_role("list", name="Webhooks").inner_text()
    finally:
        await context.close()
    assert violations == []
