"""Stepping out of a pseudonym in the browser: Amira, known as Quiet Heron, shows her name to
Ben alone after confirming that what was seen was seen; Ben sees it beside her pseudonym, Chloe
never sees it on any page she can reach; Amira steps back and Ben sees the pseudonym only
again. When the organisation requires pseudonyms, the page says so."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb

from ..community.cohort import cohort
from .conftest import DESKTOP, PHONE
from .people import checked_at_both_widths, expect, sign_in

pytestmark = pytest.mark.browser
AMIRA, BEN, CHLOE = "Amira Haddad", "Ben Okafor", "Chloe Martin"


async def _every_page(page: Page, space: str) -> str:
    """The text of every page of the space a member can reach: the list of spaces, the space,
    each post's thread, the rehearsals."""
    texts = []
    for path in ("/community", space, f"{space}/rehearsals"):
        await page.goto(path)
        texts.append(await page.inner_text("body"))
    await page.goto(space)
    threads = await page.get_by_role("link", name="read and answer").all()
    for href in [await link.get_attribute("href") for link in threads]:
        assert href is not None
        await page.goto(href)
        texts.append(await page.inner_text("body"))
    return "\n".join(texts)


async def test_a_member_shows_her_name_to_one_peer_and_no_one_else_sees_it(
        browser: Browser, web_with_community: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement, community: RunningCommunity) -> None:
    group = await cohort(identity, engagement, community, pseudonyms={AMIRA: "Quiet Heron"})
    await expect(await community.client.post(
        f"{group.path}/posts", headers=group.members[AMIRA].headers,
        json={"body": "Today I said no, kindly."}), 201)
    space = f"/community/{group.space_id}"
    contexts = [await browser.new_context(base_url=web_with_community.url, viewport=viewport)
                for viewport in (PHONE, DESKTOP, DESKTOP)]
    try:
        her, his, hers = [await sign_in(c, group.members[n])
                          for c, n in zip(contexts, (AMIRA, BEN, CHLOE), strict=True)]
        await her.goto(space)
        assert "Everyone here knows you only as Quiet Heron" in await her.inner_text("main")
        await her.get_by_label("Show my name to").select_option(
            label=group.pseudonyms[BEN])
        await her.get_by_label("I understand that what was seen was seen").check()
        await her.get_by_role("button", name="Show my name").click()
        shown = await her.inner_text("main")
        assert "shown to the member you chose" in shown
        assert f"Your name is shown beside Quiet Heron to {group.pseudonyms[BEN]} only" in shown
        violations = await checked_at_both_widths(her, "community-your-name")

        await his.goto(space)
        assert f"Quiet Heron ({AMIRA})" in await his.inner_text("main")
        violations += await checked_at_both_widths(his, "community-stepped-out")
        everything = await _every_page(hers, space)
        assert "Quiet Heron" in everything and AMIRA not in everything

        await her.goto(space)
        await her.get_by_label("I understand that those who saw my name").check()
        await her.get_by_role("button", name="Go back to my pseudonym").click()
        assert "known here by your pseudonym again" in await her.inner_text("main")
        assert AMIRA not in await _every_page(his, space)

        await expect(await identity.client.patch(
            f"/v1/organisations/{group.admin.tenant_id}/policy", headers=group.admin.headers,
            json={"changes": {"community.pseudonyms": "required"}, "reason": "privacy"}), 200)

        async def refused() -> bool:
            await her.goto(space)
            await her.get_by_label("Show my name to").select_option(label="Everyone in this space")
            await her.get_by_label("I understand that what was seen was seen").check()
            await her.get_by_role("button", name="Show my name").click()
            return "asks everyone to stay known by their pseudonym" in \
                await her.inner_text("main")

        await eventually(refused, timeout=10, what="community's copy of the policy")
        assert await her.get_by_label("I understand that what was seen was seen").is_checked()
    finally:
        for context in contexts:
            await context.close()
    assert violations == []
