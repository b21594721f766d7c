"""The cohort's forms when something is refused: what a member wrote stays in the form with a
reason they can act on (a space without a name, a post held back by slow mode, an empty post,
a comment or a draft community cannot store), a key insight leads to its comments, and the
space's coach moderates from a post's own page rather than being offered the members' report
form; a coach's gesture refused is said beside it, not as the post form's problem."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.web.testing import RunningWeb

from .conftest import DESKTOP
from .people import community_contract, sign_in

pytestmark = pytest.mark.browser
SECOND = "Second try: I asked for a day to think, and got it. Is that a no, or a delay?"


async def _main(page: Page) -> str:
    return await page.inner_text("main")


async def test_what_a_member_wrote_survives_a_refusal_and_insights_lead_to_their_comments(
        browser: Browser, web_with_community: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement, community: RunningCommunity) -> None:
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    amira = await identity.member(admin, "coachee", name="Amira Haddad")
    await community_contract(identity, engagement, community, coach, amira)
    contexts = [await browser.new_context(base_url=web_with_community.url, viewport=DESKTOP)
                for _ in range(2)]
    try:
        her, mine = [await sign_in(c, p) for c, p in zip(contexts, (coach, amira), strict=True)]
        await her.goto("/community")
        await her.get_by_label("The shared challenge").fill("   ")  # blank once trimmed
        await her.get_by_label("What it is for (optional)").fill("Boundaries at work")
        await her.get_by_role("button", name="Open the space").click()
        assert "Please check" in await _main(her)  # it used to fail the page
        assert await her.get_by_label("What it is for (optional)").input_value() == \
            "Boundaries at work"
        await her.get_by_label("The shared challenge").fill("Saying no kindly")
        await her.get_by_role("button", name="Open the space").click()
        space = her.url.replace(web_with_community.url, "")
        await her.get_by_label("Invite a coachee").select_option(label="Amira Haddad")
        await her.get_by_role("button", name="Invite").click()
        await her.get_by_label("Slow mode").fill("5")
        await her.get_by_role("button", name="Set slow mode").click()
        await mine.goto(space)
        await mine.get_by_role("button", name="Join").click()

        await mine.get_by_label("Share with the space").fill("   ")
        await mine.get_by_role("button", name="Post", exact=True).click()
        assert "Please write what you would like to share first." in await _main(mine)
        await mine.get_by_label("Share with the space").fill("I said no to a meeting")
        await mine.get_by_role("button", name="Post", exact=True).click()
        assert "Your post is in the space." in await _main(mine)
        await mine.get_by_label("Share with the space").fill(SECOND)
        await mine.get_by_label("It is").select_option(label="A question")
        await mine.get_by_role("button", name="Post", exact=True).click()
        assert "You can post again in about 5 minutes" in await _main(mine)  # and nothing lost
        assert await mine.get_by_label("Share with the space").input_value() == SECOND
        assert await mine.get_by_label("It is").input_value() == "question"

        await her.goto(space)
        await her.get_by_text("Moderate").first.click()
        await her.get_by_role("button", name="Pin as a key insight").click()
        insights = her.get_by_role("list", name="Key insights")
        await insights.get_by_role("link", name="0 comments").click()
        assert "A post in the space" in await _main(her)
        await her.get_by_text("Moderate").first.click()  # hers to moderate, not to report
        assert await her.get_by_role("button", name="Unpin").is_visible()
        assert await her.get_by_text("Report").count() == 0

        await mine.goto(her.url.replace(web_with_community.url, ""))
        await mine.get_by_label("Your comment").fill("  ")
        await mine.get_by_role("button", name="Comment").click()
        assert "Please write your comment first." in await _main(mine)
        pasted = "Copied from my notes:\x07 it felt odd"  # a control character community refuses
        await mine.get_by_label("Your comment").fill(pasted)
        await mine.get_by_role("button", name="Comment").click()
        shown = await _main(mine)
        assert "A post in the space" in shown and "Retype that part" in shown
        assert await mine.get_by_label("Your comment").input_value() == pasted
        # sent twice (a double click, a reload that sends the form again): one comment
        await mine.get_by_label("Your comment").fill("It felt odd, then right")
        sent = await mine.evaluate("""async () => {
            const form = document.querySelector('form[action$="/comments"]');
            const body = new URLSearchParams(new FormData(form));
            const once = await fetch(form.action, {method: "POST", body});
            const twice = await fetch(form.action, {method: "POST", body});
            return [once.ok, twice.ok]; }""")
        assert sent == [True, True]
        await mine.reload()
        assert (await _main(mine)).count("It felt odd, then right") == 1

        await mine.goto(f"{space}/rehearsals")  # a draft to rehearse, refused, is kept too
        await mine.get_by_label("Your draft").fill(pasted)
        await mine.get_by_role("button", name="Ask my coach first").click()
        assert "Please check" in await _main(mine)
        assert await mine.get_by_label("Your draft").input_value() == pasted

        # a refusal of one of the coach's gestures is said beside it, not as the post form's
        await her.goto(space)
        await her.get_by_text("Reveal who is behind a pseudonym").click()
        revealing = her.locator('form[action*="/reveal"]')
        await revealing.get_by_role("textbox").fill("   ")
        await revealing.get_by_role("button").click()
        reveal = her.locator("details", has=her.get_by_text("Reveal who is behind a pseudonym"))
        assert await reveal.get_attribute("open") is not None
        assert "Please check reason" in await reveal.locator(".problem").inner_text()
        posting = her.locator('form[action$="/posts"]')
        assert await posting.get_attribute("aria-describedby") is None
        where = her.get_by_role("link", name="To where you did it")
        assert await her.locator(await where.get_attribute("href") or "#none").count() == 1
    finally:
        for context in contexts:
            await context.close()
