"""What keeps a session safe, seen from the browser: the cookie, the CSP, the CSRF token, the
404 of another organisation's contract, and a stolen cookie after signing out."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, BrowserContext

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.web.testing import RunningWeb

from .conftest import DESKTOP
from .people import contract_between, expect, sign_in

pytestmark = pytest.mark.browser


async def test_the_cookie_is_httponly_and_samesite_and_every_page_has_the_csp(
        context: BrowserContext, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    _coach, coachee, contract_id = await contract_between(identity, engagement)
    policies = {}
    context.on("response", lambda r: policies.__setitem__(
        r.url, r.headers.get("content-security-policy")))
    page = await sign_in(context, coachee)
    for path in ("/", "/home", f"/contracts/{contract_id}", f"/contracts/{contract_id}/check-in",
                 f"/contracts/{contract_id}/messages", "/no-such-page"):
        await page.goto(path)
    (cookie,) = [c for c in await context.cookies() if c["name"] == "interlude_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert not cookie["secure"]  # loopback only: anywhere else it is Secure (and __Host-)
    pages = {url: csp for url, csp in policies.items() if "/static/" not in url}
    assert len(pages) >= 7 and all(pages.values()), pages
    for csp in pages.values():
        assert "default-src 'none'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp


async def test_a_form_posted_without_its_token_is_refused(
        context: BrowserContext, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    _coach, coachee, contract_id = await contract_between(identity, engagement)
    page = await sign_in(context, coachee)
    refused = await page.request.post(f"/contracts/{contract_id}/check-in",
                                      form={"text": "sent by another site"})
    assert refused.status == 403
    assert "could not be accepted" in await refused.text()
    forged = await page.request.post(f"/contracts/{contract_id}/check-in",
                                     form={"text": "a guessed token", "csrf": "x" * 43})
    assert forged.status == 403
    found = await expect(await engagement.client.get(
        f"/v1/contracts/{contract_id}/check-ins", headers=coachee.headers), 200)
    assert found["check_ins"] == []


async def test_another_organisations_contract_is_a_404_page(
        context: BrowserContext, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    _coach, coachee, _ = await contract_between(identity, engagement)
    _, _, theirs = await contract_between(identity, engagement, org="Elsewhere Ltd")
    page = await sign_in(context, coachee)
    for path in (f"/contracts/{theirs}", f"/contracts/{theirs}/messages",
                 f"/contracts/{theirs}/check-in"):
        response = await page.goto(path)
        assert response is not None and response.status == 404, path
        assert await page.get_by_role("heading", name="Not found").is_visible()


async def test_a_stolen_cookie_stops_working_after_sign_out(
        browser: Browser, context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        engagement: RunningEngagement) -> None:
    _coach, coachee, _ = await contract_between(identity, engagement)
    page = await sign_in(context, coachee)
    thief = await browser.new_context(base_url=web.url, viewport=DESKTOP)
    try:
        await thief.add_cookies(await context.cookies())
        stolen = await thief.new_page()
        await stolen.goto("/home")
        assert stolen.url.endswith("/home")  # the stolen cookie works while the session lives
        await page.get_by_role("button", name="Sign out").click()
        await page.wait_for_url("**/?signed_out=1")
        await stolen.goto("/home")
        assert "/sign-in" in stolen.url
        assert await stolen.get_by_label("Password").is_visible()
    finally:
        await thief.close()
