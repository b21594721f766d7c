"""The coach's dashboard shows her cohorts: who reads quietly in each (by pseudonym, only to
her), with the gentle invitation sent from there, and how the materials she shared with the
cohort were taken up. Ben, a peer, has no dashboard and never sees the list; once Amira
withdraws the consent to be counted, the dashboard no longer shows her."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb

from ..community.cohort import cohort
from ..engagement.journey import expect
from .conftest import DESKTOP, PHONE
from .people import checked_at_both_widths, sign_in

pytestmark = pytest.mark.browser
AMIRA, BEN = "Amira Haddad", "Ben Okafor"
COHORT = "Saying no without burning bridges"  # the cohort's name (cohort.create_space)


async def test_the_dashboard_shows_quiet_readers_per_cohort_only_to_the_coach(
        browser: Browser, web_with_community: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement, community: RunningCommunity) -> None:
    group = await cohort(identity, engagement, community, pseudonyms={AMIRA: "Quiet Heron"})
    api, amira_api = community.client, group.members[AMIRA]
    shared = await expect(await api.post(f"{group.path}/materials", headers=group.coach.headers,
                                         json={"title": "The positive no"}), 201)
    await expect(await api.post(f"{group.path}/materials/{shared['id']}/done",
                                headers=amira_api.headers), 200)
    contexts = [await browser.new_context(base_url=web_with_community.url, viewport=viewport)
                for viewport in (DESKTOP, PHONE, PHONE)]
    try:
        her, amira, ben = [await sign_in(c, p) for c, p in zip(
            contexts, (group.coach, group.members[AMIRA], group.members[BEN]), strict=True)]
        await amira.goto(f"/community/{group.space_id}")  # reading: web marks the feed read
        quietly = her.get_by_role("list", name=f"Reading quietly in {COHORT}")

        async def listed() -> bool:
            await her.goto("/dashboard")
            return await quietly.count() == 1 and "Quiet Heron" in await quietly.inner_text()

        # the dashboard keeps its cohorts a few seconds: give it time beyond them
        await eventually(listed, timeout=20,
                         what="Amira among those reading quietly, on the dashboard")
        cohorts = await her.inner_text("#cohorts")
        assert AMIRA not in cohorts and "1 reading quietly of 3 members" in cohorts
        assert "The positive no: opened by 1 of 3, done by 1" in cohorts
        await her.get_by_role("button", name="Invite gently Quiet Heron").click()
        main = await her.inner_text("main")
        assert "Your invitation is on its way" in main and "you invited them" in main
        violations = await checked_at_both_widths(her, "coach-dashboard-cohorts")

        refused = await ben.goto("/dashboard")  # a coachee has no dashboard
        assert refused is not None and refused.status == 403
        assert "Quiet Heron" not in await ben.inner_text("body")
        await ben.goto(f"/community/{group.space_id}")
        assert "Reading quietly" not in await ben.inner_text("body")

        await expect(await engagement.client.delete(
            f"/v1/contracts/{group.contracts[AMIRA]}/consents/counted_when_quiet",
            headers=group.members[AMIRA].headers), 200)

        async def gone() -> bool:  # community learns the consent from engagement's events
            await her.goto("/dashboard")
            return "Quiet Heron" not in await her.inner_text("#cohorts")

        await eventually(gone, timeout=20, what="Amira no longer counted, on the dashboard")
    finally:
        for context in contexts:
            await context.close()
    assert violations == []
