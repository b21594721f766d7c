"""An e-mail address is unique within an organisation (ADR 0005): what one organisation holds
is neither revealed to nor blocks another, and a person with accounts in several signs in to
each. Through the HTTP API on real servers."""

from __future__ import annotations

import httpx
import pytest

from interlude.identity.app import people, sessions
from interlude.identity.domain import user
from interlude.identity.domain.claims import GLOBAL_TENANT
from interlude.identity.domain.events import EmailClaimed, PasswordSet
from interlude.identity.testing import PASSWORD, Person, RunningIdentity
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.eventstore.base import decode_commit
from interlude.shared.ids import new_id
from interlude.shared.sealing import Secret

from .test_scim import SCIM, new_user, patch, scim_headers

OTHER_PASSWORD = "another horse, another battery"
PROBLEM = "urn:interlude:problem:"


async def invite(identity: RunningIdentity, admin: Person, email: str) -> httpx.Response:
    return await identity.client.post(
        f"/v1/organisations/{admin.tenant_id}/invitations", headers=admin.headers,
        json={"email": email, "display_name": "Robin Twofold", "roles": ["coachee"]})


async def joined(identity: RunningIdentity, admin: Person, email: str,
                 password: str = PASSWORD) -> str:
    """Invited to ``admin``'s organisation and accepted with ``password``; the user id."""
    invited = await invite(identity, admin, email)
    assert invited.status_code == 201, invited.text
    accepted = await identity.client.post("/v1/invitations/accept", json={
        "token": invited.json()["token"], "password": password})
    assert accepted.status_code == 200, accepted.text
    return invited.json()["user_id"]


async def sign_in(identity: RunningIdentity, email: str, password: str = PASSWORD,
                  **extra: str) -> httpx.Response:
    return await identity.client.post("/v1/sessions",
                                      json={"email": email, "password": password, **extra})


def signed_into(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 200, response.text
    return response.json()["tenant_id"], response.json()["user_id"]


async def test_inviting_an_address_another_organisation_has_succeeds_without_a_hint(
        identity: RunningIdentity) -> None:
    a, b = await identity.organisation("A"), await identity.organisation("B")
    in_a = await identity.member(a, "coach")

    known = await invite(identity, b, in_a.email)
    unknown = await invite(identity, b, identity.unique_email("nobody"))

    assert known.status_code == unknown.status_code == 201, known.text
    assert known.json().keys() == unknown.json().keys()
    assert known.json()["user_id"] != in_a.user_id
    assert signed_into(await sign_in(identity, in_a.email)) == (a.tenant_id, in_a.user_id)


async def test_an_organisation_can_invite_an_address_another_invited_first(
        identity: RunningIdentity) -> None:
    a, b = await identity.organisation("A"), await identity.organisation("B")
    email = identity.unique_email("first-in-b")
    assert (await invite(identity, b, email)).status_code == 201
    assert (await invite(identity, a, email)).status_code == 201


async def test_scim_creates_an_address_another_organisation_has_and_is_not_blocked_by_it(
        identity: RunningIdentity) -> None:
    a, b = await identity.organisation("A"), await identity.organisation("B")
    in_a = await identity.member(a, "coachee")
    headers = await scim_headers(identity, b)

    created = await identity.client.post(f"{SCIM}/Users", headers=headers,
                                         json=new_user(in_a.email))
    assert created.status_code == 201, created.text
    assert created.json()["id"] != in_a.user_id
    first_in_b = identity.unique_email("scim-first")
    assert (await identity.client.post(f"{SCIM}/Users", headers=headers,
                                       json=new_user(first_in_b))).status_code == 201
    assert (await invite(identity, a, first_in_b)).status_code == 201


async def test_a_duplicate_within_one_organisation_is_refused(
        identity: RunningIdentity) -> None:
    a, b = await identity.organisation("A"), await identity.organisation("B")
    email = identity.unique_email("twice")
    assert (await invite(identity, a, email)).status_code == 201
    assert (await invite(identity, b, email)).status_code == 201

    again = await invite(identity, b, email.upper())
    assert again.status_code == 409
    assert again.json()["type"] == PROBLEM + "already-exists"
    assert "your organisation" in again.json()["detail"]
    scim = await identity.client.post(f"{SCIM}/Users", headers=await scim_headers(identity, b),
                                      json=new_user(email))
    assert scim.status_code == 409
    assert scim.json()["scimType"] == "uniqueness"


async def test_different_passwords_sign_the_person_into_each_organisation(
        identity: RunningIdentity) -> None:
    a, b = await identity.organisation("A"), await identity.organisation("B")
    email = identity.unique_email("twofold")
    in_a = await joined(identity, a, email, PASSWORD)
    in_b = await joined(identity, b, email, OTHER_PASSWORD)

    assert signed_into(await sign_in(identity, email, PASSWORD)) == (a.tenant_id, in_a)
    assert signed_into(await sign_in(identity, email, OTHER_PASSWORD)) == (b.tenant_id, in_b)
    wrong = await sign_in(identity, email, "neither of the two")
    assert wrong.status_code == 401
    assert wrong.json()["type"] == PROBLEM + "login-failed"


async def test_the_same_password_in_two_organisations_asks_which_one(
        identity: RunningIdentity) -> None:
    a, b = await identity.organisation("Acme"), await identity.organisation("Bravo")
    email = identity.unique_email("same-password")
    in_a = await joined(identity, a, email)
    in_b = await joined(identity, b, email)

    ask = await sign_in(identity, email)
    assert ask.status_code == 409, ask.text
    assert ask.json()["type"] == PROBLEM + "organisation-required"
    assert sorted((o["id"], o["name"]) for o in ask.json()["organisations"]) == sorted(
        [(a.tenant_id, "Acme"), (b.tenant_id, "Bravo")])
    assert signed_into(await sign_in(identity, email, organisation=a.tenant_id)) == (
        a.tenant_id, in_a)
    assert signed_into(await sign_in(identity, email, organisation=b.tenant_id)) == (
        b.tenant_id, in_b)

    # without the password nothing is told: not the choice, not the organisations
    guessed = await sign_in(identity, email, "a guessed password")
    assert guessed.status_code == 401 and "organisations" not in guessed.json()
    elsewhere = await identity.organisation("Charlie")
    assert (await sign_in(identity, email, organisation=elsewhere.tenant_id)).status_code == 401


async def test_releasing_an_address_in_one_organisation_leaves_the_other_account(
        identity: RunningIdentity) -> None:
    a, b = await identity.organisation("A"), await identity.organisation("B")
    email = identity.unique_email("leaving")
    in_a = await joined(identity, a, email)
    in_b = await joined(identity, b, email, OTHER_PASSWORD)
    moved = identity.unique_email("moved")
    changed = await identity.client.patch(
        f"{SCIM}/Users/{in_a}", headers=await scim_headers(identity, a),
        json=patch({"op": "Replace", "path": "userName", "value": moved}))
    assert changed.status_code == 200, changed.text

    assert (await sign_in(identity, email)).status_code == 401  # A's account moved away
    assert signed_into(await sign_in(identity, moved)) == (a.tenant_id, in_a)
    assert signed_into(await sign_in(identity, email, OTHER_PASSWORD)) == (b.tenant_id, in_b)
    assert (await invite(identity, a, email)).status_code == 201  # free again in A


async def test_an_installation_wide_claim_from_before_still_signs_in_and_claims(
        identity: RunningIdentity) -> None:
    """Data written before ADR 0005: the person and an ``EmailClaimed`` in the tenant global,
    nothing in the organisation's tenant."""
    a, b = await identity.organisation("A"), await identity.organisation("B")
    email, user_id = identity.unique_email("legacy"), new_id()
    deps = identity.app.state.identity
    ctx = deps.context(a.tenant_id, Actor(a.user_id, ("org_admin",)))
    digest, password_hash = deps.digest(email), await deps.passwords.hash(PASSWORD)
    await deps.users.execute(a.tenant_id, user_id, lambda s: [*user.provision(
        s, user_id=user_id, email=Secret(email, user_id), email_digest=digest,
        display_name=Secret("Lee Legacy", user_id), roles=("coachee",), source="scim"),
        PasswordSet(user_id=user_id, password_hash=Secret(password_hash, user_id))], ctx)
    in_global = CommandContext(GLOBAL_TENANT, ctx.actor, ctx.now, ctx.correlation_id)
    await deps.email_index.execute(GLOBAL_TENANT, digest, lambda s: [
        EmailClaimed(tenant_id=a.tenant_id, user_id=user_id)], in_global)

    assert signed_into(await sign_in(identity, email)) == (a.tenant_id, user_id)
    assert await people.holder(deps, a.tenant_id, digest) == user_id
    refused = await invite(identity, a, email)
    assert refused.status_code == 409, refused.text
    in_b = await joined(identity, b, email, OTHER_PASSWORD)
    assert signed_into(await sign_in(identity, email, OTHER_PASSWORD)) == (b.tenant_id, in_b)
    assert signed_into(await sign_in(identity, email)) == (a.tenant_id, user_id)


async def access_events(identity: RunningIdentity, count: int) -> list[dict]:
    """The last ``count`` access events, oldest first."""
    stream = identity.platform.stream("access").name
    last = (await identity.platform.js.stream_info(stream)).state.last_seq
    found = []
    for seq in range(last - count + 1, last + 1):
        (event,) = decode_commit((await identity.platform.js.get_msg(stream, seq)).data)
        found.append({"tenant_id": event.tenant_id, **event.payload})
    return found


async def test_failed_sign_ins_are_recorded_in_each_organisation_and_throttled(
        identity: RunningIdentity) -> None:
    a, b = await identity.organisation("A"), await identity.organisation("B")
    email = identity.unique_email("attempted")
    in_a = await joined(identity, a, email)
    in_b = await joined(identity, b, email, OTHER_PASSWORD)

    assert (await sign_in(identity, email, "a wrong guess")).status_code == 401
    denied = await access_events(identity, 2)
    assert sorted((e["tenant_id"], e["resource_id"], e["outcome"]) for e in denied) == sorted(
        [(a.tenant_id, in_a, "denied"), (b.tenant_id, in_b, "denied")])
    signed_into(await sign_in(identity, email, OTHER_PASSWORD))
    (allowed,) = await access_events(identity, 1)
    assert (allowed["tenant_id"], allowed["resource_id"], allowed["outcome"]) == (
        b.tenant_id, in_b, "allowed")

    statuses = [(await sign_in(identity, email, f"guess {i}")).status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]


async def test_an_address_with_too_many_accounts_must_name_the_organisation(
        identity: RunningIdentity, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sessions, "MAX_ACCOUNTS", 1)  # instead of registering six organisations
    a, b = await identity.organisation("A"), await identity.organisation("B")
    email = identity.unique_email("many")
    in_a = await joined(identity, a, email)
    await joined(identity, b, email, OTHER_PASSWORD)

    ask = await sign_in(identity, email)
    assert ask.status_code == 409, ask.text
    assert ask.json()["type"] == PROBLEM + "organisation-required"
    assert ask.json()["organisations"] == []  # the password was not tried: nothing to tell
    assert signed_into(await sign_in(identity, email, organisation=a.tenant_id)) == (
        a.tenant_id, in_a)
