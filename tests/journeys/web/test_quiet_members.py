"""Reading quietly in the browser: Amira opens the cohort's feed (web marks it read) and does
not post; Claire, the cohort's coach, sees her under "Reading quietly" and invites her gently;
Ben, a peer, never sees the list. Once Amira withdraws the consent to be counted (one click on
her contract page), Claire no longer sees her there."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb

from ..community.cohort import cohort
from .conftest import DESKTOP, PHONE
from .people import checked_at_both_widths, sign_in

pytestmark = pytest.mark.browser
AMIRA, BEN = "Amira Haddad", "Ben Okafor"


async def test_the_coach_sees_who_reads_quietly_and_invites_them_and_peers_never_do(
        browser: Browser, web_with_community: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement, community: RunningCommunity) -> None:
    group = await cohort(identity, engagement, community, pseudonyms={AMIRA: "Quiet Heron"})
    space = f"/community/{group.space_id}"
    contexts = [await browser.new_context(base_url=web_with_community.url, viewport=viewport)
                for viewport in (DESKTOP, PHONE, PHONE)]
    try:
        her, amira, ben = [await sign_in(c, p) for c, p in zip(
            contexts, (group.coach, group.members[AMIRA], group.members[BEN]), strict=True)]
        await amira.goto(space)  # reading the feed: web marks it read
        quietly = her.get_by_role("list", name="Reading quietly")

        async def listed() -> bool:
            await her.goto(space)
            return "Quiet Heron" in await quietly.inner_text()

        await eventually(listed, what="Amira among those reading quietly")
        assert AMIRA not in await quietly.inner_text()
        await her.get_by_role("button", name="Invite gently Quiet Heron").click()
        main = await her.inner_text("main")
        assert "Your invitation is on its way" in main and "you invited them" in main
        violations = await checked_at_both_widths(her, "coach-reading-quietly")

        await ben.goto(space)
        assert "Reading quietly" not in await ben.inner_text("body")

        await amira.goto(f"/contracts/{group.contracts[AMIRA]}")
        consent = amira.get_by_role("listitem").filter(
            has_text="My coach may see that I read the cohort without posting")
        assert "Being counted when I read quietly: given" in await consent.inner_text()
        await consent.get_by_role("button", name="Withdraw this consent").click()
        assert "Consent withdrawn: being counted when I read quietly" in \
            await amira.inner_text("main")
        violations += await checked_at_both_widths(amira, "coachee-consents")

        async def gone() -> bool:  # community learns the consent from engagement's events
            await her.goto(space)
            return "Quiet Heron" not in await quietly.inner_text()

        await eventually(gone, what="Amira no longer counted")
    finally:
        for context in contexts:
            await context.close()
    assert violations == []
