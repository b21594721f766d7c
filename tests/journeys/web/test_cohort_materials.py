"""Materials shared with a cohort, in the browser: Claire, the cohort's coach, shares a link
with the space with a note on why now (a link that is not http(s) is refused, what she typed
kept); Amira opens it from the space, marks it done and posts a reflection to the space under
her pseudonym; Ben, a peer, sees the material and Amira's reflection but not who did what;
Claire sees who opened and did it, by pseudonym. The link is shown, never fetched. Once the
organisation switches materials off, the page says so, and no link leads there any more."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb

from ..community.cohort import cohort, switched
from .conftest import DESKTOP, PHONE
from .people import checked_at_both_widths, sign_in

pytestmark = pytest.mark.browser
AMIRA, BEN = "Amira Haddad", "Ben Okafor"
LINK = "https://example.org/the-positive-no"
NOTE = "Several of you said no feels rude: this reframes it before Thursday."


async def test_a_coach_shares_with_the_cohort_and_sees_who_did_it(
        browser: Browser, web_with_community: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement, community: RunningCommunity) -> None:
    group = await cohort(identity, engagement, community,
                         pseudonyms={AMIRA: "Quiet Heron", BEN: "Bright Otter"})
    space = f"/community/{group.space_id}"
    contexts = [await browser.new_context(base_url=web_with_community.url, viewport=viewport)
                for viewport in (DESKTOP, PHONE, PHONE)]
    try:
        her, amira, ben = [await sign_in(c, p) for c, p in zip(
            contexts, (group.coach, group.members[AMIRA], group.members[BEN]), strict=True)]
        await her.goto(space)
        await her.get_by_role("link", name="Share materials, see who did them").click()
        await her.get_by_label("It is").select_option(label="A link")
        await her.get_by_label("Title").fill("The positive no")
        await her.get_by_label("Link (optional)").fill("ftp://example.org/no")
        await her.get_by_label("Why now (optional)").fill(NOTE)
        await her.get_by_role("button", name="Share with the space").click()
        assert "A link starts with https://" in await her.inner_text("main")
        assert await her.get_by_label("Why now (optional)").input_value() == NOTE
        await her.get_by_label("Link (optional)").fill(LINK)
        await her.get_by_role("button", name="Share with the space").click()
        main = await her.inner_text("main")
        assert "Shared: the members are told" in main and "Opened by 0 of 3" in main
        violations = await checked_at_both_widths(her, "coach-cohort-materials")

        await amira.goto(space)
        await amira.get_by_role("link", name="Materials from your coach").click()
        assert NOTE in await amira.inner_text("main")
        link = amira.get_by_role("link", name=LINK)
        assert await link.get_attribute("rel") == "noopener noreferrer"
        await amira.get_by_role("button", name="Opened").click()
        assert "you opened it" in await amira.inner_text("main")
        await amira.get_by_label("A reflection to post in the space").fill(
            "I said no on Friday, and it was a kindness to both of us.")
        await amira.get_by_role("button", name="Done").click()
        main = await amira.inner_text("main")
        assert "Your reflection is in the space" in main and "you did it" in main
        violations += await checked_at_both_widths(amira, "member-cohort-materials")

        await ben.goto(f"{space}/materials")
        main = await ben.inner_text("main")
        assert "The positive no" in main and "Opened by" not in main and "Quiet Heron" not in main
        async def reflected() -> bool:  # Amira's post, once Ben's read reaches it
            await ben.goto(space)
            return "it was a kindness to both of us" in await ben.inner_text("#feed")

        await eventually(reflected, what="Amira's reflection in Ben's feed")
        feed = await ben.inner_text("#feed")
        assert "Quiet Heron" in feed and AMIRA not in feed

        who_did = her.get_by_role("list", name="Who opened and did The positive no")

        async def done_seen() -> bool:
            await her.goto(f"{space}/materials")
            return "Quiet Heron: done" in await who_did.inner_text()

        await eventually(done_seen, what="Claire seeing Amira's material done")
        progress = await who_did.inner_text()
        assert "Bright Otter: not opened yet" in progress and AMIRA not in progress

        await switched(identity, community, group.admin, {"materials.enabled": False})
        await amira.goto(f"{space}/materials")
        main = await amira.inner_text("main")
        assert "switched off materials" in main and "The positive no" not in main
        assert "Nothing shared" not in main  # not known, so not said
        await amira.goto(space)  # and the space no longer leads there
        assert await amira.get_by_role("link", name="Materials from your coach").count() == 0
        await her.goto(f"{space}/materials")
        assert await her.get_by_role("button", name="Share with the space").count() == 0
        await her.goto("/dashboard")  # the cohort still shows, its materials left out
        cohorts = await her.inner_text("#cohorts")
        assert "Saying no without burning bridges" in cohorts
        assert "Materials shared" not in cohorts
        assert await her.locator("#cohorts").get_by_role("link", name="Materials").count() == 0
    finally:
        for context in contexts:
            await context.close()
    assert violations == []
