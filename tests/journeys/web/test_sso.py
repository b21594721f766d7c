"""Single sign-on in the browser, through a real OpenID Connect provider the test starts: the
org admin sets it up on the sign-on page and passes its address on; a person signs in there,
through the provider and identity, and lands signed in at web, the tokens never in the
browser; the address identity sends back works only in the browser that started."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext

from interlude.engagement.testing import RunningEngagement
from interlude.identity.oidc_test_provider import OidcTestProvider, TestUser
from interlude.identity.testing import RunningIdentity, identity_settings, running_identity
from interlude.web.testing import RunningWeb, bound, running_web, url_of

from .conftest import PHONE
from .people import checked, expect, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def held() -> dict[str, socket.socket]:
    # identity must know web's address (where it may send people back) and its own (where the
    # provider sends them) before either is served
    return {"identity": bound(), "web": bound()}


@pytest.fixture
async def identity(nats_url: str, postgres_dsn: str, namespace: str, pg_schema: str,
                   held: dict[str, socket.socket]) -> AsyncIterator[RunningIdentity]:
    settings = identity_settings(nats_url, postgres_dsn, namespace,
                                 public_url=url_of(held["identity"]),
                                 web_url=url_of(held["web"]))
    async with running_identity(settings, pg_schema) as running:
        yield running


@pytest.fixture
async def web(identity: RunningIdentity, engagement: RunningEngagement,
              held: dict[str, socket.socket]) -> AsyncIterator[RunningWeb]:
    async with running_web({"identity": identity.app, "engagement": engagement.app},
                           held) as running:
        yield running


@pytest.fixture
async def provider() -> AsyncIterator[OidcTestProvider]:
    async with OidcTestProvider() as running:
        yield running


async def test_the_admin_sets_up_single_sign_on_and_a_person_signs_in_through_it(
        browser: Browser, context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        provider: OidcTestProvider) -> None:
    admin = await identity.organisation("Northwind")
    page = await sign_in(context, admin)
    await page.get_by_role("link", name="Sign-on").first.click()
    assert "Single sign-on is not set up" in await page.inner_text("main")
    violations = await checked(page, "admin-sign-on", "desktop")
    await page.get_by_label("Your provider's address (issuer)").fill(provider.issuer)
    await page.get_by_label("Client id").fill(provider.client_id)
    await page.get_by_label("Client secret").fill(provider.client_secret)
    await page.get_by_label("Allowed e-mail domains").fill("example.org")
    await page.get_by_role("button", name="Save single sign-on").click()
    assert "Single sign-on is set up" in await page.inner_text("main")
    address = await page.locator("#sign-in-at").inner_text()
    assert address == f"{web.url}/sign-in/organisation/{admin.tenant_id}"

    provider.user = TestUser(identity.unique_email("sam"), name="Sam Single")
    person = await browser.new_context(base_url=web.url, viewport=PHONE)
    visited: list[str] = []
    try:
        mine = await person.new_page()
        mine.on("request", lambda request: visited.append(request.url))
        await mine.goto(address)
        violations += await checked(mine, "sign-in-organisation", "phone")
        await mine.get_by_role("link", name="Sign in with your organisation").click()
        await mine.wait_for_url("**/home")
        assert "Sam Single" in await mine.inner_text("header")
        assert any(url.startswith(provider.issuer + "/authorize") for url in visited)
        back = next(url for url in visited if "/sign-in/sso/done" in url)
        assert "code=" in back and not any("access_token" in url or "#" in url
                                           for url in visited)
        cookies = await person.cookies()
        assert [c["name"] for c in cookies] == ["interlude_session"]  # an id, no token
        assert cookies[0]["httpOnly"]

        stranger = await browser.new_context(base_url=web.url)  # the address, elsewhere
        try:
            theirs = await stranger.new_page()
            response = await theirs.goto(back)
            assert response is not None and response.status == 400
            assert "did not start in this browser" in await theirs.inner_text("main")
            await theirs.goto("/home")
            assert "/sign-in" in theirs.url
        finally:
            await stranger.close()
    finally:
        await person.close()
    assert violations == []


async def test_a_refusal_at_the_provider_comes_back_in_words(
        context: BrowserContext, web: RunningWeb, identity: RunningIdentity,
        provider: OidcTestProvider) -> None:
    admin = await identity.organisation("Northwind")
    await expect(await identity.client.put(
        f"/v1/organisations/{admin.tenant_id}/sso", headers=admin.headers, json={
            "issuer": provider.issuer, "client_id": provider.client_id,
            "client_secret": provider.client_secret, "allowed_domains": ["example.com"]}), 200)
    provider.user = TestUser(identity.unique_email("sam"))  # at example.org: not allowed
    page = await context.new_page()
    await page.goto(f"/sign-in/organisation/{admin.tenant_id}")
    await page.get_by_role("link", name="Sign in with your organisation").click()
    await page.wait_for_url("**/sign-in/sso/done?**")
    assert "not at a domain your organisation signs in with" in await page.inner_text("main")
    await page.goto("/home")
    assert "/sign-in" in page.url


async def test_an_organisation_without_single_sign_on_says_so(
        context: BrowserContext, web: RunningWeb, identity: RunningIdentity) -> None:
    admin = await identity.organisation("Plainfield")
    page = await context.new_page()
    await page.goto(f"/sign-in/organisation/{admin.tenant_id}")
    await page.get_by_role("link", name="Sign in with your organisation").click()
    assert "has not set up single sign-on" in await page.inner_text("main")
    assert not await page.get_by_role("link", name="Sign in with your organisation").count()




async def test_the_admin_issues_a_scim_token_shown_once_and_revokes_it(
        browser: Browser, context: BrowserContext, web: RunningWeb,
        identity: RunningIdentity) -> None:
    admin = await identity.organisation("Northwind")
    page = await sign_in(context, admin)
    await page.goto("/admin/sign-on")
    await page.get_by_label("What the token is for").fill("Entra ID provisioning")
    await page.get_by_role("button", name="Issue a SCIM token").click()
    assert "shown only this once" in await page.inner_text("main")
    token = await page.locator("#scim-token").inner_text()
    token_id = await page.locator("#scim-token-id").inner_text()
    directory = {"Authorization": f"Bearer {token}"}
    assert (await identity.client.get("/scim/v2/Users", headers=directory)).status_code == 200
    violations = await checked(page, "admin-sign-on-scim", "desktop")
    await page.goto("/admin/sign-on")
    assert token not in await page.content()  # never shown again

    await page.get_by_label("Revoke the token with the id").fill(token_id)
    await page.get_by_role("button", name="Revoke the token").click()
    assert "The SCIM token is revoked" in await page.inner_text("main")
    assert (await identity.client.get("/scim/v2/Users", headers=directory)).status_code == 401

    phone = await browser.new_context(base_url=web.url, viewport=PHONE)
    try:
        small = await sign_in(phone, admin)
        await small.goto("/admin/sign-on")
        violations += await checked(small, "admin-sign-on", "phone")
    finally:
        await phone.close()
    assert violations == []
