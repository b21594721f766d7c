"""The people of a web journey and what the browser does for them."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import BrowserContext, Locator, Page

from interlude.community.projections.contracts import NAME as CONTRACTS
from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement, terms
from interlude.identity.testing import Person, RunningIdentity

from .conftest import DESKTOP, PHONE, SCREENSHOTS


async def expect(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


async def contract_between(identity: RunningIdentity, engagement: RunningEngagement,
                           org: str = "Northwind", **term_overrides: Any
                           ) -> tuple[Person, Person, str]:
    """A coach and a coachee of a new organisation with an active contract."""
    _, coach, coachee, contract_id = await organisation_with_contract(
        identity, engagement, org, **term_overrides)
    return coach, coachee, contract_id


async def organisation_with_contract(identity: RunningIdentity, engagement: RunningEngagement,
                                     org: str = "Northwind", **term_overrides: Any
                                     ) -> tuple[Person, Person, Person, str]:
    """The admin, a coach and a coachee of a new organisation; the contract between them."""
    admin = await identity.organisation(org)
    coach = await identity.member(admin, "coach", name="Claire Coach")
    coachee = await identity.member(admin, "coachee", name="Amira Haddad")
    written = await expect(await engagement.client.post(
        "/v1/contracts", headers=coach.headers,
        json={"coachee_id": coachee.user_id, "terms": terms(**term_overrides)}), 201)
    for person in (coach, coachee):
        await expect(await engagement.client.post(
            f"/v1/contracts/{written['id']}/signatures", headers=person.headers, json={}), 200)
    return admin, coach, coachee, str(written["id"])


async def enter_password(context: BrowserContext, person: Person) -> Page:
    """A new page that has sent the sign-in form with the person's address and password."""
    page = await context.new_page()
    await page.goto("/sign-in")
    await page.get_by_label("E-mail address").fill(person.email)
    await page.get_by_label("Password").fill(person.password)
    await page.get_by_role("button", name="Sign in").click()
    return page


async def sign_in(context: BrowserContext, person: Person) -> Page:
    page = await enter_password(context, person)
    await page.wait_for_load_state()
    return page


SERIOUS = {"serious", "critical"}


async def checked(page: Page, name: str, width: str) -> list[str]:
    """The serious violations on the page, a page wider than the screen among them (the
    person would have to scroll sideways to read it); its screenshot saved on the way."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
    results = await Axe().run(page)
    found = [f"{name} ({width}): {v['id']}: {v['help']}"
             for v in results.response["violations"] if v.get("impact") in SERIOUS]
    beyond = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if beyond > 0:
        found.append(f"{name} ({width}): wider than the screen by {beyond}px")
    return found


async def checked_at_both_widths(page: Page, name: str) -> list[str]:
    """``checked`` at desktop and at phone width, the page's own width restored after."""
    before = page.viewport_size
    found: list[str] = []
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        await page.set_viewport_size(viewport)
        found += await checked(page, name, width)
    if before is not None:
        await page.set_viewport_size(before)
    return found


async def opened(page: Page, name: str) -> Locator:
    """The list item headed ``name``, its folded part (``<details>``) opened."""
    item = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=name))
    await item.locator("summary").click()
    return item


AGREED: dict[str, Any] = {"channels": {"checkins": True, "messaging": True, "community": True}}


async def community_contract(identity: RunningIdentity, engagement: RunningEngagement,
                  community: RunningCommunity, coach: Person, coachee: Person) -> None:
    """An active contract agreeing community participation, known to community."""
    written = await expect(await engagement.client.post(
        "/v1/contracts", headers=coach.headers,
        json={"coachee_id": coachee.user_id, "terms": terms(**AGREED)}), 201)
    position = 0
    for party in (coach, coachee):
        signed = await expect(await engagement.client.post(
            f"/v1/contracts/{written['id']}/signatures", headers=party.headers, json={}), 200)
        position = signed["position"]
    waiter = community.app.state.waiter
    stream = engagement.platform.stream("engagement").name
    assert await waiter.wait(CONTRACTS, stream, position, timeout=10)
