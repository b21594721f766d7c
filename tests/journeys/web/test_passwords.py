"""Passwords in the browser: a forgotten one asked for from the sign-in page and chosen through
the e-mailed link (which signs the person in), one's own changed with the current one, and an
administrator having a link sent that they never see, or a new invitation link made."""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity, password_links
from interlude.web.testing import RunningWeb

from .people import checked, organisation_with_contract, sign_in

pytestmark = pytest.mark.browser
NEW = "a much longer passphrase, 2026"


async def test_a_forgotten_password_is_chosen_anew_through_the_link(
        context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    _, _, coachee, _ = await organisation_with_contract(identity, engagement)
    page = await context.new_page()
    await page.goto("/sign-in")
    await page.get_by_role("link", name="Forgotten your password?").click()
    violations = await checked(page, "password-forgotten", "desktop")
    await page.get_by_label("E-mail address").fill(coachee.email)
    await page.get_by_role("button", name="E-mail me a link").click()
    assert "a link to choose a new password is on its way" in await page.inner_text("main")

    [token] = await password_links(identity, coachee)  # as the e-mail carries it
    await page.goto(f"/password-reset/{token}")
    violations += await checked(page, "password-reset", "desktop")
    await page.get_by_label("Your new password").fill(NEW)
    await page.get_by_label("The same password again").fill("not the same")
    await page.get_by_role("button", name="Set my password").click()
    assert "The two passwords differ" in await page.inner_text("main")
    await page.get_by_label("Your new password").fill(NEW)
    await page.get_by_label("The same password again").fill(NEW)
    await page.get_by_role("button", name="Set my password").click()
    await page.get_by_role("button", name="Sign out").wait_for()  # signed in

    await page.goto(f"/password-reset/{token}")  # used up
    assert "This link no longer works" in await page.inner_text("main")
    assert violations == []


async def test_one_changes_ones_password_with_the_current_one(
        context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    _, coach, _, _ = await organisation_with_contract(identity, engagement)
    page = await sign_in(context, coach)
    await page.get_by_role("link", name="Change your password").click()
    violations = await checked(page, "password-change", "desktop")
    await page.get_by_label("Your current password").fill("not my password")
    await page.get_by_label("Your new password").fill(NEW)
    await page.get_by_label("The new password again").fill(NEW)
    await page.get_by_role("button", name="Change my password").click()
    assert "The current password is wrong" in await page.inner_text("main")
    await page.get_by_label("Your current password").fill(coach.password)
    await page.get_by_label("Your new password").fill(NEW)
    await page.get_by_label("The new password again").fill(NEW)
    await page.get_by_role("button", name="Change my password").click()
    assert "Your password is changed" in await page.inner_text("main")
    await page.goto("/")  # this session goes on with its new tokens
    await page.get_by_role("button", name="Sign out").wait_for()
    signed_in = await identity.client.post("/v1/sessions", json={
        "email": coach.email, "password": NEW})
    assert signed_in.status_code == 200
    assert violations == []


async def test_an_administrator_has_a_link_sent_without_seeing_it_and_invites_again(
        context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    admin, _, coachee, _ = await organisation_with_contract(identity, engagement)
    first = await identity.invite(admin, "coachee", name="Nina Newcomer")
    page = await sign_in(context, admin)
    await page.goto("/admin/people")
    entry = page.get_by_role("listitem").filter(has_text=coachee.email)
    await entry.get_by_text("Change").click()
    await entry.get_by_role("button", name="a link to choose a new password").click()
    main = await page.inner_text("main")
    assert "on its way to their e-mail address" in main
    [token] = await password_links(identity, coachee)
    assert token not in await page.content()

    invited = page.get_by_role("listitem").filter(has_text=first["email"])
    await invited.get_by_text("Change").click()
    await invited.get_by_role("button", name="Send a new invitation link").click()
    again = await page.inner_text("main")
    assert "A new invitation link" in again and "/invitations/" in again
    assert first["token"] not in again  # the earlier link no longer works
    stale = await identity.client.get(f"/v1/invitations/{first['token']}")
    assert stale.status_code == 404
