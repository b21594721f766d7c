"""Erasure reaches the disk. A person who is forgotten (after identity, engagement, community,
notify and audit all knew them, their own export was made, and web held their session) leaves
neither their name nor their e-mail address in PostgreSQL's folder (tables, indexes, dead
tuples, the WAL, its log), in nats-server's (the JetStream store, its log), in the services'
logs (web's included) or in web's sessions: every copy was sealed under their key, the key is
gone, and web let go of the session identity would no longer renew.

The servers are shared by the whole test run, so the person's name and address carry a marker
of this test's own."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from interlude.audit.testing import RunningAudit
from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import PASSWORD, Person, RunningIdentity
from interlude.notify.testing import RunningNotify
from interlude.shared import directory
from interlude.shared.runtime import Platform
from interlude.shared.testing.eventually import eventually
from interlude.shared.testing.servers import TestServers as Servers
from interlude.web.keeping import SessionKeeper
from interlude.web.testing import running_web, signed_in_over_http

from .community.cohort import contract, create_space
from .engagement.journey import expect


def _files(folders: tuple[Path, ...]) -> Iterator[Path]:
    for folder in folders:
        yield from (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def found_on_disk(folders: tuple[Path, ...], needles: list[str]) -> list[str]:
    """Each file under ``folders`` holding one of ``needles`` (case aside), as ``path: needle``."""
    wanted = [n.lower().encode() for n in needles]
    hits = []
    for path in _files(folders):
        try:
            data = path.read_bytes().lower()
        except (FileNotFoundError, PermissionError):  # a temporary file gone meanwhile
            continue
        hits += [f"{path}: {n.decode()}" for n in wanted if n in data]
    return hits


async def vacuum_and_checkpoint(postgres_dsn: str) -> None:
    """Plain VACUUM of every table of every database, then CHECKPOINT: dead tuples pruned and
    every page written to the data files, as a backup would copy them."""
    admin = await asyncpg.connect(postgres_dsn)
    try:
        databases = await admin.fetch("SELECT datname FROM pg_database WHERE datallowconn")
        for row in databases:
            conn = await asyncpg.connect(postgres_dsn, database=row["datname"])
            try:
                await conn.execute("VACUUM")
            finally:
                await conn.close()
        await admin.execute("CHECKPOINT")
    finally:
        await admin.close()


async def _marked_person(identity: RunningIdentity, admin: Person, name: str,
                         email: str) -> Person:
    invited = await expect(await identity.client.post(
        f"/v1/organisations/{admin.tenant_id}/invitations", headers=admin.headers,
        json={"email": email, "display_name": name, "roles": ["coachee"]}), 201)
    data = await expect(await identity.client.post("/v1/invitations/accept", json={
        "token": invited["token"], "password": PASSWORD}), 200)
    return Person(data["user_id"], data["tenant_id"], email, PASSWORD, tuple(data["roles"]),
                  data["access_token"], data["refresh_token"])


async def _provisioned_over_scim(identity: RunningIdentity, admin: Person, name: str,
                                 email: str) -> str:
    """A person an organisation's directory created, with their address as externalId (as
    Entra ID and Okta may send it); their user id."""
    token = await expect(await identity.client.post(
        f"/v1/organisations/{admin.tenant_id}/scim-tokens", headers=admin.headers,
        json={"label": "Entra ID"}), 201)
    created = await expect(await identity.client.post(
        "/scim/v2/Users", headers={"Authorization": f"Bearer {token['token']}"}, json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": email,
            "externalId": email, "displayName": name, "active": True}), 201)
    return str(created["id"])


async def _seen_everywhere(identity: RunningIdentity, engagement: RunningEngagement,
                           community: RunningCommunity, admin: Person, coach: Person,
                           person: Person, space: str) -> dict[str, Any]:
    """What each read model shows of the person to whoever may see their name."""
    user = await identity.client.get(f"/v1/organisations/{admin.tenant_id}/users/"
                                     f"{person.user_id}", headers=admin.headers)
    dashboard = (await engagement.client.get("/v1/dashboard", headers=coach.headers)).json()
    members = (await community.client.get(f"/v1/community/spaces/{space}",
                                          headers=coach.headers)).json()["members"]
    return {"identity": user.json() if user.status_code == 200 else None,
            "engagement": [c["coachee_name"] for c in dashboard["coachees"]],
            "community": [m["name"] for m in members]}


async def _known(platform: Platform, person: Person) -> bool:
    return await directory.person(platform.pool, person.tenant_id, person.user_id) is not None


async def _sealed_in_people(platform: Platform, person: Person, name: str) -> None:
    """The service's people row holds the name sealed, and opens it for a reader."""
    row = await platform.pool.fetchrow("SELECT * FROM people WHERE tenant_id = $1"
                                       " AND user_id = $2", person.tenant_id, person.user_id)
    assert row is not None and name.lower() not in repr(dict(row)).lower()
    assert await directory.names(platform.pool, platform.sealer, person.tenant_id,
                                 [person.user_id]) == {person.user_id: name}
    found = await directory.named(platform.pool, platform.sealer, {name})
    assert [(r["user_id"], r["display_name"]) for r in found] == [(person.user_id, name)]


@pytest.mark.slow
async def test_an_erased_person_leaves_neither_name_nor_address_on_disk_or_in_logs(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity, notify: RunningNotify, audit: RunningAudit,
        servers: Servers, postgres_dsn: str, caplog: pytest.LogCaptureFixture) -> None:
    async with contextlib.AsyncExitStack() as stack:
        await _erased_everywhere(stack, identity, engagement, community, notify, audit, servers,
                                 postgres_dsn, caplog)


async def _erased_everywhere(
        stack: contextlib.AsyncExitStack, identity: RunningIdentity,
        engagement: RunningEngagement, community: RunningCommunity, notify: RunningNotify,
        audit: RunningAudit, servers: Servers, postgres_dsn: str,
        caplog: pytest.LogCaptureFixture) -> None:
    if not servers.data_dirs:
        pytest.skip("the servers run in containers: their folders are not on this machine")
    caplog.set_level(logging.DEBUG)
    marker = secrets.token_hex(5)
    name, email = f"Ysolde Quillfeather{marker}", f"ysolde.q{marker}@example.org"
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    person = await _marked_person(identity, admin, name, email)
    provisioned = await _provisioned_over_scim(identity, admin, f"Ysolde Scimfeather{marker}",
                                               f"ysolde.s{marker}@example.org")
    contract_id = await contract(identity, engagement, community, coach, person)
    await expect(await engagement.client.post(
        f"/v1/contracts/{contract_id}/check-ins", headers=person.headers,
        json={"text": "Said no to the extra project, kindly."}), 201)
    space = await create_space(community, coach, pseudonymous=False)
    await expect(await community.client.post(
        f"/v1/community/spaces/{space}/invitations", headers=coach.headers,
        json={"user_id": person.user_id}), 200)
    await expect(await community.client.post(f"/v1/community/spaces/{space}/join",
                                             headers=person.headers, json={}), 200)

    async def named() -> bool:
        seen = await _seen_everywhere(identity, engagement, community, admin, coach, person,
                                      space)
        return ((seen["identity"] or {}).get("display_name") == name
                and seen["identity"]["email"] == email and name in seen["engagement"]
                and name in seen["community"])

    await eventually(named, timeout=15, what="the person's name in every read model")
    for service in (engagement, community, notify, audit):
        await eventually(lambda s=service: _known(s.platform, person), timeout=10)
        await _sealed_in_people(service.platform, person, name)
    # their export (every service's section: name and address in it) waits, sealed, in audit
    await expect(await audit.client.post("/v1/audit/my-data/exports", headers=person.headers,
                                         json={}), 201)
    # and they are signed in to web, which holds their session (name, tokens) in its memory
    web = await stack.enter_async_context(running_web({"identity": identity.app,
                                                       "engagement": engagement.app}))
    browser = await stack.enter_async_context(httpx.AsyncClient(base_url=web.url))
    session = await signed_in_over_http(browser, web, email, PASSWORD)
    home = await browser.get("/home")
    assert home.status_code == 200 and name in home.text

    officer = await identity.member(admin, "compliance_officer", name="Carla Compliance")
    await expect(await identity.client.post(
        f"/v1/organisations/{admin.tenant_id}/erasures", headers=officer.headers,
        json={"subject_id": person.user_id, "reason": "the person asked"}), 202)
    await expect(await identity.client.post(
        f"/v1/organisations/{admin.tenant_id}/erasures", headers=officer.headers,
        json={"subject_id": provisioned, "reason": "the person asked"}), 202)

    async def forgotten() -> bool:
        seen = await _seen_everywhere(identity, engagement, community, admin, coach, person,
                                      space)
        scim = await identity.client.get(f"/v1/organisations/{admin.tenant_id}/users/"
                                         f"{provisioned}", headers=admin.headers)
        return (seen["identity"] is None and name not in seen["engagement"]
                and name not in seen["community"] and scim.status_code == 404)

    await eventually(forgotten, timeout=15, what="the person forgotten in every read model")
    # web's keeping round, once their access token has lapsed: identity refuses to renew it,
    # and web's memory holds no session of theirs (nor the cookie any power)
    session.access_expires = 0
    store = web.app.state.web.store
    await SessionKeeper(store, web.app.state.web.upstream, every_s=60).round()
    assert not store.holds(session) and len(store) == 0
    assert (await browser.get("/home")).status_code == 303
    await vacuum_and_checkpoint(postgres_dsn)

    needles = [name, email, f"Quillfeather{marker}", f"ysolde.q{marker}",
               f"Scimfeather{marker}", f"ysolde.s{marker}"]
    assert found_on_disk(servers.data_dirs, needles) == []
    logged = caplog.text.lower()
    assert [n for n in needles if n.lower() in logged] == []
