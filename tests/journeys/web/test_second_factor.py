"""The second factor in the browser: the code asked for when identity wants it, and an
authenticator set up on the way when the organisation requires one."""

from __future__ import annotations

from datetime import datetime

import pyotp
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import BrowserContext

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.web.testing import RunningWeb

from .people import contract_between, enter_password, expect, organisation_with_contract

pytestmark = pytest.mark.browser


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the next 30 s step: identity takes each step's code once."""
    return totp.at(datetime.now().timestamp() + 30)


async def test_identity_asks_for_the_code_and_the_page_asks_the_person(
        context: BrowserContext, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    _coach, coachee, _ = await contract_between(identity, engagement)
    started = await expect(await identity.client.post("/v1/mfa/enrol", json={},
                                                      headers=coachee.headers), 200)
    totp = pyotp.TOTP(started["secret"])
    await expect(await identity.client.post("/v1/mfa/confirm", headers=coachee.headers,
                                            json={"code": totp.now()}), 200)
    page = await enter_password(context, coachee)
    assert "6-digit code" in await page.get_by_role("alert").inner_text()
    await page.get_by_label("Password").fill(coachee.password)
    await page.get_by_label("Code from your authenticator app").fill(next_code(totp))
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/home")


async def test_a_required_authenticator_is_set_up_on_the_way_in(
        context: BrowserContext, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    admin, coach, _, _ = await organisation_with_contract(identity, engagement)
    await expect(await identity.client.patch(
        f"/v1/organisations/{coach.tenant_id}/policy", headers=admin.headers,
        json={"changes": {"auth.mfa_required_roles": ["coach"]}, "reason": "ISO 27001"}), 200)
    page = await enter_password(context, coach)
    await page.wait_for_url("**/sign-in/authenticator")
    violations = (await Axe().run(page)).response["violations"]
    assert [v["id"] for v in violations if v.get("impact") in {"serious", "critical"}] == []
    totp = pyotp.TOTP((await page.locator("code.secret").inner_text()).replace(" ", ""))
    await page.get_by_label("Code from your authenticator app").fill("000000")
    await page.get_by_role("button", name="Confirm").click()
    assert await page.get_by_role("alert").is_visible()  # a wrong code: try again, same key
    await page.get_by_label("Code from your authenticator app").fill(totp.now())
    await page.get_by_role("button", name="Confirm").click()
    assert "Your authenticator is set up" in await page.inner_text("main")
    await page.get_by_label("Password").fill(coach.password)
    await page.get_by_label("Code from your authenticator app").fill(next_code(totp))
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/dashboard")


async def test_an_address_with_accounts_in_two_organisations_chooses_one(
        context: BrowserContext, web: RunningWeb, identity: RunningIdentity) -> None:
    email = identity.unique_email("twice")
    tenants = {}
    for name in ("Northwind", "Southwind"):
        admin = await identity.organisation(name)
        tenants[name] = admin.tenant_id
        invited = await expect(await identity.client.post(
            f"/v1/organisations/{admin.tenant_id}/invitations", headers=admin.headers,
            json={"email": email, "display_name": "Tess Twice", "roles": ["coachee"]}), 201)
        await expect(await identity.client.post("/v1/invitations/accept", json={
            "token": invited["token"], "password": "the same long password"}), 200)
    page = await context.new_page()
    await page.goto("/sign-in")
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Password").fill("the same long password")
    await page.get_by_role("button", name="Sign in").click()
    assert "more than one organisation" in await page.get_by_role("alert").inner_text()
    await page.get_by_label("Password").fill("the same long password")
    await page.get_by_label("Southwind").check()
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/home")
    (cookie,) = [c for c in await context.cookies() if c["name"] == "interlude_session"]
    session = web.app.state.web.store.get(cookie["value"])
    assert session is not None and session.tenant_id == tenants["Southwind"]
