"""web renews a session's tokens at identity by itself, once for requests that arrive
together (a refresh token works once), and a session identity no longer renews ends with a
page asking to sign in again; a forgotten person's session leaves web's memory, used or not."""

from __future__ import annotations

import asyncio

import httpx

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import Person, RunningIdentity
from interlude.web.keeping import SessionKeeper
from interlude.web.sessions import Session
from interlude.web.testing import RunningWeb, signed_in_over_http

from .people import contract_between, expect, organisation_with_contract


async def _signed_in(client: httpx.AsyncClient, web: RunningWeb, person: Person) -> Session:
    return await signed_in_over_http(client, web, person.email, person.password)


async def test_an_expiring_token_is_renewed_once_for_requests_arriving_together(
        web: RunningWeb, identity: RunningIdentity, engagement: RunningEngagement) -> None:
    _coach, coachee, contract_id = await contract_between(identity, engagement)
    async with httpx.AsyncClient(base_url=web.url) as client:
        session = await _signed_in(client, web, coachee)
        first_refresh = session.refresh_token
        session.access_expires = 0  # as if five minutes had passed
        pages = await asyncio.gather(*(client.get(path) for path in (
            "/home", f"/contracts/{contract_id}", f"/contracts/{contract_id}/messages")))
        assert [p.status_code for p in pages] == [200, 200, 200]
        assert session.refresh_token != first_refresh
        # had two of them refreshed, identity would have seen one refresh token spent twice
        # and revoked them all (a page would have asked to sign in): the token web holds
        # now renews once more
        session.access_expires = 0
        again = await client.get("/home")
        assert again.status_code == 200, again.headers


async def test_a_session_identity_refuses_to_renew_ends_with_a_sign_in_page(
        web: RunningWeb, identity: RunningIdentity, engagement: RunningEngagement) -> None:
    _coach, coachee, _ = await contract_between(identity, engagement)
    async with httpx.AsyncClient(base_url=web.url) as client:
        session = await _signed_in(client, web, coachee)
        revoked = await identity.client.post("/v1/tokens/revoke",
                                             json={"refresh_token": session.refresh_token})
        assert revoked.status_code == 204
        session.access_expires = 0
        page = await client.get("/home")
        assert page.status_code == 303 and page.headers["location"] == "/sign-in?ended=1"
        again = await client.get("/sign-in?ended=1")
        assert "Your session has ended" in again.text
        assert web.app.state.web.store.get(session.id) is None


async def test_a_forgotten_persons_session_leaves_webs_memory_though_unused(
        web: RunningWeb, identity: RunningIdentity, engagement: RunningEngagement) -> None:
    """Erased through identity's API, not through web: web's keeping round finds identity
    refuses to renew the idle session, and drops it, with the name and tokens it held."""
    admin, _coach, coachee, _ = await organisation_with_contract(identity, engagement)
    officer = await identity.member(admin, "compliance_officer", name="Carla Compliance")
    store = web.app.state.web.store
    async with httpx.AsyncClient(base_url=web.url) as client, \
            httpx.AsyncClient(base_url=web.url) as officers:
        session = await _signed_in(client, web, coachee)
        other = await _signed_in(officers, web, officer)
        await expect(await identity.client.post(
            f"/v1/organisations/{admin.tenant_id}/erasures", headers=officer.headers,
            json={"subject_id": coachee.user_id, "reason": "the person asked"}), 202)
        keeper = SessionKeeper(store, web.app.state.web.upstream, every_s=60)
        session.access_expires = 0  # as if five minutes had passed without a request
        assert await keeper.round() == 1
        assert not store.holds(session) and store.holds(other) and len(store) == 1
        stolen = await client.get("/home")  # the forgotten person's cookie, still in the jar
        assert stolen.status_code == 303 and "/sign-in" in stolen.headers["location"]
