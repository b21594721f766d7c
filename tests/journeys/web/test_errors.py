"""Errors a person meets are pages that say what to do: a service that does not answer, an
address that leads nowhere, a page for another role, a form from another site, a wrong
password; and a sign-in goes back to the page that asked for it, never to another site."""

from __future__ import annotations

import re

import httpx

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import Person, RunningIdentity
from interlude.web.testing import RunningWeb

from .people import contract_between


async def _form_token(client: httpx.AsyncClient, path: str = "/sign-in") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', (await client.get(path)).text)
    assert found is not None
    return found[1]


async def _sign_in(client: httpx.AsyncClient, person: Person, **extra: str) -> httpx.Response:
    return await client.post("/sign-in", data={
        "csrf": await _form_token(client), "email": person.email,
        "password": person.password, **extra})


async def test_what_goes_wrong_is_said_on_a_page(
        web: RunningWeb, identity: RunningIdentity, engagement: RunningEngagement) -> None:
    _, coachee, contract_id = await contract_between(identity, engagement)
    async with httpx.AsyncClient(base_url=web.url) as client:
        wrong = await client.post("/sign-in", data={
            "csrf": await _form_token(client), "email": coachee.email, "password": "nope"})
        assert wrong.status_code == 400
        assert "The e-mail address or the password is wrong." in wrong.text
        assert wrong.headers["content-type"].startswith("text/html")

        back = await _sign_in(client, coachee, next=f"/contracts/{contract_id}")
        assert back.status_code == 303 and back.headers["location"] == \
            f"/contracts/{contract_id}"

        # the community is not running in this test: its part of a page says so, the rest works
        cohort = await client.get("/community")
        assert cohort.status_code == 200
        assert "Part of Interlude is not answering just now" in cohort.text

        assert (await client.get("/contracts/not%20an%20id")).status_code == 404
        assert (await client.delete("/home")).status_code == 404
        coach_only = await client.get("/dashboard")
        assert coach_only.status_code == 403 and "for another role" in coach_only.text

        foreign = await client.post(f"/contracts/{contract_id}/check-in", headers={
            "Origin": "https://evil.example"}, data={
            "csrf": await _form_token(client, f"/contracts/{contract_id}/check-in"),
            "text": "from another site"})
        assert foreign.status_code == 403


async def test_a_sign_in_never_leads_to_another_site(
        web: RunningWeb, identity: RunningIdentity, engagement: RunningEngagement) -> None:
    coach, _, _ = await contract_between(identity, engagement)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        async with httpx.AsyncClient(base_url=web.url) as client:
            answer = await _sign_in(client, coach, next=target)
            assert answer.status_code == 303 and answer.headers["location"] == "/dashboard"
            again = await client.get("/sign-in")  # already signed in: to their own page
            assert again.status_code == 303 and again.headers["location"] == "/dashboard"


async def test_one_browsers_failed_sign_ins_lock_out_that_browser_not_everyone(
        web: RunningWeb, identity: RunningIdentity, engagement: RunningEngagement) -> None:
    """identity throttles sign-ins per source address: web passes on the browser's own."""
    coach, _, _ = await contract_between(identity, engagement)

    def browser(address: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=web.url,
                                 transport=httpx.AsyncHTTPTransport(local_address=address))

    async with browser("127.0.0.2") as sprayer, browser("127.0.0.3") as someone:
        statuses = []
        for attempt in range(21):
            answer = await sprayer.post("/sign-in", data={
                "csrf": await _form_token(sprayer), "password": "a guess",
                "email": f"nobody.{attempt}@example.org"})
            statuses.append(answer.status_code)
        assert statuses[-1] == 429 and "Too many failed sign-ins" in answer.text
        assert (await _sign_in(someone, coach)).status_code == 303
