"""A coachee and a coach through the browser: a check-in reaches the dashboard, the coach asks
about it and the coachee reads the question at home; messages and the reply allowance; a
consent withdrawn in one click."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import RunningWeb

from ..engagement.journey import set_policy
from .conftest import DESKTOP
from .people import contract_between, expect, organisation_with_contract, sign_in

pytestmark = pytest.mark.browser


async def _shows(page: Page, text: str) -> bool:
    await page.reload()
    return text in await page.inner_text("main")


async def test_a_check_in_reaches_the_coach_and_her_question_reaches_the_coachee(
        browser: Browser, context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    coach, coachee, _contract_id = await contract_between(identity, engagement)
    me = await sign_in(context, coachee)
    assert me.url.endswith("/home")
    await me.get_by_role("link", name="Check in").click()
    await me.get_by_label("What happened, and how do you feel about it?").fill(
        "I spoke first in the team meeting")
    await me.get_by_label("Very low").check()
    await me.get_by_label("This is a small win").check()
    await me.get_by_role("button", name="Send to my coach").click()
    await me.wait_for_url("**/home")
    assert "your check-in is with your coach" in await me.inner_text("main")
    assert "I spoke first in the team meeting" in await me.inner_text("main")
    assert "No message from your coach yet" in await me.inner_text("main")  # not a bare link

    coach_context = await browser.new_context(base_url=web.url, viewport=DESKTOP)
    try:
        board = await sign_in(coach_context, coach)
        assert board.url.endswith("/dashboard")
        await eventually(lambda: _shows(board, "Low mood in the last check-in"), timeout=10)
        assert "Amira Haddad" in await board.inner_text("main")
        assert "I spoke first" not in await board.inner_text("main")  # facts, not content
        await board.get_by_role("link", name="Check-ins of Amira Haddad").click()
        await board.get_by_label("Ask a question about it").fill("What made it possible?")
        await board.get_by_role("button", name="Send the question").click()
        assert "Your question is sent" in await board.inner_text("main")
    finally:
        await coach_context.close()

    await me.goto("/home")
    assert "What made it possible?" in await me.inner_text("main")


async def test_the_coach_sees_her_allowance_and_its_renewal_when_it_is_used_up(
        browser: Browser, context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    coach, coachee, contract_id = await contract_between(
        identity, engagement, allowance={"kind": "monthly", "replies_per_month": 1,
                                         "reply_window_hours": 48})
    thread = f"/v1/contracts/{contract_id}/messages"
    await expect(await engagement.client.post(thread, headers=coachee.headers,
                                              json={"body": "can we talk about Monday?"}), 201)
    page = await sign_in(context, coach)
    await page.goto(f"/contracts/{contract_id}/messages")
    assert "You have 1 of 1 replies left this month" in await page.inner_text("#allowance")
    await page.get_by_label("Your message").fill("Of course: what happened?")
    await page.get_by_role("button", name="Send").click()
    assert "Your message is sent" in await page.inner_text("main")
    await expect(await engagement.client.post(thread, headers=coachee.headers,
                                              json={"body": "the review went badly"}), 201)
    await page.reload()
    assert "used all 1 replies of this month" in await page.inner_text("#allowance")
    await page.get_by_label("Your message").fill("I am sorry to hear that")
    await page.get_by_role("button", name="Send").click()
    alert = await page.get_by_role("alert").inner_text()
    assert "replies are used up" in alert and "It renews on 1 " in alert
    assert await page.get_by_label("Your message").input_value() == "I am sorry to hear that"


async def test_a_consent_is_withdrawn_with_one_click(
        context: BrowserContext, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    _coach, coachee, contract_id = await contract_between(identity, engagement)
    page = await sign_in(context, coachee)
    await page.goto(f"/contracts/{contract_id}")
    assert "Pinning my posts: given" in await page.inner_text("main")
    await page.get_by_role("button", name="Withdraw this consent").first.click()
    assert "Consent withdrawn: pinning my posts" in await page.inner_text("main")
    assert "Pinning my posts: not given" in await page.inner_text("main")
    found = await expect(await engagement.client.get(
        f"/v1/contracts/{contract_id}", headers=coachee.headers), 200)
    assert found["consents"]["pin_insights"] is False


async def test_a_goal_is_set_tested_by_an_experiment_and_achieved(
        context: BrowserContext, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    coach, coachee, contract_id = await contract_between(identity, engagement)
    page = await sign_in(context, coachee)
    await page.get_by_role("link", name="My goals and experiments").click()
    await page.get_by_label("A new goal").fill("Speak up in the Monday meeting")
    await page.get_by_role("button", name="Set the goal").click()
    assert "The goal is set" in await page.inner_text("main")
    await page.get_by_label("The belief to test").fill("If I disagree, they will think less of me")
    await page.get_by_label("The behaviour to try").fill("Disagree once, kindly")
    await page.get_by_label("For a goal (optional)").select_option(
        label="Speak up in the Monday meeting")
    await page.get_by_role("button", name="Plan it").click()
    assert "The experiment is planned" in await page.inner_text("main")
    await page.locator("summary", has_text="Tell how it went").click()
    await page.get_by_label("What happened?").fill("They asked me to lead the next one")
    await page.get_by_label("What did you learn?").fill("Disagreeing is not a risk here")
    await page.get_by_role("button", name="Report").click()
    shown = await page.inner_text("main")
    assert "Disagreeing is not a risk here" in shown
    assert "for “Speak up in the Monday meeting”" in shown
    await page.get_by_role("button",
                           name="Achieved this goal: Speak up in the Monday meeting").click()
    assert "the goal is achieved" in await page.inner_text("main")
    found = await expect(await engagement.client.get(
        f"/v1/contracts/{contract_id}/goals", headers=coach.headers), 200)
    assert [g["status"] for g in found["goals"]] == ["achieved"]
    assert found["experiments"][0]["learning"] == "Disagreeing is not a risk here"


async def test_a_session_is_booked_in_the_persons_time_zone_and_reaches_a_calendar(
        context: BrowserContext, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    coach, _coachee, contract_id = await contract_between(identity, engagement)
    page = await sign_in(context, coach)
    await page.goto(f"/contracts/{contract_id}/sessions")
    await page.get_by_label("Day").fill("2028-03-07")
    await page.get_by_label("Time", exact=True).fill("09:30")
    await page.get_by_label("Time zone").fill("Mars/Olympus")
    await page.get_by_role("button", name="Book it").click()
    assert "time zone is unknown" in await page.get_by_role("alert").inner_text()
    await page.get_by_label("Time zone").fill("Europe/Paris")
    await page.get_by_role("button", name="Book it").click()
    assert "The session is booked" in await page.inner_text("main")
    assert "Tue 7 March 2028, 08:30 UTC" in await page.inner_text("main")  # 09:30 in Paris
    await page.get_by_role("button", name="Make my calendar address").click()
    notice = await page.get_by_role("status").first.inner_text()
    url = notice.split(": ", 1)[1].strip()
    feed = await engagement.client.get(httpx.URL(url).path)  # what a calendar app fetches
    assert feed.status_code == 200 and "20280307T083000Z" in feed.text


async def test_the_coachs_brief_covers_what_happened_since_the_last_session(
        context: BrowserContext, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    coach, coachee, contract_id = await contract_between(identity, engagement)
    path, api = f"/v1/contracts/{contract_id}", engagement.client
    earlier = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    held = await expect(await api.post(f"{path}/sessions", headers=coach.headers,
                                       json={"starts_at": earlier}), 201)
    await expect(await api.post(f"{path}/sessions/{held['id']}/held", headers=coach.headers),
                 200)
    await expect(await api.post(f"{path}/check-ins", headers=coachee.headers,
                                json={"text": "after we met", "mood": 4, "small_win": True}),
                 201)
    planned = await expect(await api.post(f"{path}/experiments", headers=coachee.headers,
                                          json={"belief": "they will mind",
                                                "behaviour": "say no once"}), 201)
    await expect(await api.post(f"{path}/experiments/{planned['id']}/report",
                                headers=coachee.headers,
                                json={"result": "nobody minded", "learning": "ask more"}), 200)
    await expect(await api.post(f"{path}/messages", headers=coachee.headers,
                                json={"body": "one question before Tuesday"}), 201)
    page = await sign_in(context, coach)
    await page.get_by_role("link", name="Brief on Amira Haddad").click()

    async def complete() -> bool:
        await page.reload()
        return "1 waiting for your answer" in await page.inner_text("main")

    await eventually(complete, timeout=10)
    shown = await page.inner_text("main")
    assert "Brief: Amira Haddad" in shown and "Since the last session" in shown
    assert "after we met" in shown and "1 check-in, 1 of them small win" in shown
    assert "nobody minded" in shown and "ask more" in shown


async def test_new_terms_are_proposed_by_one_party_and_signed_by_the_other(
        browser: Browser, context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    coach, coachee, contract_id = await contract_between(identity, engagement)
    page = await sign_in(context, coach)
    await page.goto(f"/contracts/{contract_id}")
    await page.get_by_role("link", name="Propose new terms").click()
    await page.get_by_label("Replies a month (monthly allowance)").fill("6")
    await page.get_by_label("Number of sessions").fill("8")
    await page.get_by_role("button", name="Propose these terms").click()
    assert "The new terms are proposed" in await page.inner_text("main")
    await page.get_by_role("button", name="Sign the terms").click()
    assert "You have signed the contract" in await page.inner_text("main")

    theirs = await browser.new_context(base_url=web.url, viewport=DESKTOP)
    try:
        mine = await sign_in(theirs, coachee)
        await mine.goto(f"/contracts/{contract_id}")
        shown = await mine.inner_text("main")
        assert "New terms are proposed" in shown and "The new terms proposed" in shown
        assert "Up to 6 replies from the coach a month" in shown
        await mine.get_by_role("button", name="Sign the terms").click()
        assert "You have signed the contract" in await mine.inner_text("main")
    finally:
        await theirs.close()
    found = await expect(await engagement.client.get(f"/v1/contracts/{contract_id}",
                                                     headers=coach.headers), 200)
    assert found["terms"]["allowance"]["replies_per_month"] == 6
    assert found["terms"]["sessions"]["count"] == 8 and found["pending_terms"] is None


async def test_a_coachs_refused_question_stays_at_its_check_in_with_the_reason(
        context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    coach, coachee, contract_id = await contract_between(identity, engagement)
    await expect(await engagement.client.post(
        f"/v1/contracts/{contract_id}/check-ins", headers=coachee.headers,
        json={"text": "I spoke first in the team meeting"}), 201)
    board = await sign_in(context, coach)
    await board.goto(f"/contracts/{contract_id}/check-ins")
    await board.get_by_label("Ask a question about it").fill("   ")
    await board.get_by_role("button", name="Send the question").click()
    assert "Check-ins of Amira Haddad" in await board.inner_text("main")  # not a dead end
    assert "Write your question first" in await board.inner_text("main")
    pasted = "Copied from my notes:\x07 what made it possible?"  # engagement refuses it
    await board.get_by_label("Ask a question about it").fill(pasted)
    await board.get_by_role("button", name="Send the question").click()
    shown = await board.inner_text("main")
    assert "Check-ins of Amira Haddad" in shown and "Please check" in shown
    assert await board.get_by_label("Ask a question about it").input_value() == pasted


async def test_a_refused_experiment_and_goal_note_keep_what_the_coachee_wrote(
        context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    _coach, coachee, contract_id = await contract_between(identity, engagement)
    await expect(await engagement.client.post(
        f"/v1/contracts/{contract_id}/goals", headers=coachee.headers,
        json={"title": "speak up on Mondays"}), 201)
    me = await sign_in(context, coachee)
    await me.goto(f"/contracts/{contract_id}/goals")
    pasted = "Copied from my notes:\x07 they will think less of me"  # engagement refuses it
    await me.get_by_label("The belief to test").fill(pasted)
    await me.get_by_label("The behaviour to try").fill("disagree once, kindly")
    await me.get_by_label("For a goal").select_option(label="speak up on Mondays")
    await me.get_by_role("button", name="Plan it").click()
    assert "Please check" in await me.inner_text("main")
    assert await me.get_by_label("The belief to test").input_value() == pasted
    assert await me.get_by_label("The behaviour to try").input_value() == "disagree once, kindly"
    assert await me.get_by_label("For a goal").input_value() != ""
    await me.get_by_text("Note progress").click()
    await me.get_by_label("What moved?").fill(f"{pasted}, and yet I spoke")
    await me.get_by_label("How far along").fill("40")
    await me.get_by_role("button", name="Add the note").click()
    assert "Please check" in await me.inner_text("main")
    assert await me.get_by_label("What moved?").is_visible()  # unfolded, with what she wrote
    assert await me.get_by_label("What moved?").input_value() == f"{pasted}, and yet I spoke"
    assert await me.get_by_label("How far along").input_value() == "40"


async def test_check_ins_switched_off_are_said_before_anything_is_typed(
        context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    admin, _coach, coachee, contract_id = await organisation_with_contract(identity, engagement)
    await set_policy(identity, engagement, admin, {"checkins.enabled": False})
    me = await sign_in(context, coachee)
    answer = await me.goto(f"/contracts/{contract_id}/check-in")  # a bookmark, an old link
    assert answer is not None and answer.status == 403
    assert "Your organisation has switched off check-ins" in await me.inner_text("main")
    assert await me.get_by_label("What happened, and how do you feel about it?").count() == 0


async def test_the_check_in_form_offers_only_experiments_still_under_way(
        context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    _coach, coachee, contract_id = await contract_between(identity, engagement)
    path = f"/v1/contracts/{contract_id}/experiments"
    done = await expect(await engagement.client.post(path, headers=coachee.headers, json={
        "belief": "they will mind", "behaviour": "disagree once"}), 201)
    await expect(await engagement.client.post(
        f"{path}/{done['id']}/report", headers=coachee.headers,
        json={"result": "nobody minded", "learning": "say it sooner"}), 200)
    me = await sign_in(context, coachee)
    await me.goto(f"/contracts/{contract_id}/check-in")
    # a choice with nothing to choose is not offered
    assert await me.get_by_label("About an experiment").count() == 0
    await expect(await engagement.client.post(path, headers=coachee.headers, json={
        "belief": "I must answer at once", "behaviour": "wait an hour"}), 201)
    await me.reload()
    offered = await me.get_by_label("About an experiment").inner_text()
    assert "wait an hour" in offered and "disagree once" not in offered
