"""The directory holds names and addresses sealed: its rows carry neither in clear, yet the
people API and SCIM answer as before (an address found through its blind index, any other
comparison made on the opened rows)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from interlude.identity.domain.events import UserProvisioned
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.events.envelope import Actor
from interlude.shared.ids import new_id
from interlude.shared.sealing import Secret
from interlude.shared.testing.eventually import eventually

SCIM = "/scim/v2"


async def _scim_headers(identity: RunningIdentity, admin: Person) -> dict[str, str]:
    response = await identity.client.post(
        f"/v1/organisations/{admin.tenant_id}/scim-tokens", headers=admin.headers,
        json={"label": "Entra ID"})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def _found(identity: RunningIdentity, headers: dict[str, str], filter_: str) -> list[str]:
    response = await identity.client.get(f"{SCIM}/Users", headers=headers,
                                         params={"filter": filter_})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["totalResults"] == len(body["Resources"])
    return sorted(r["id"] for r in body["Resources"])


async def _row(identity: RunningIdentity, person: Person) -> dict[str, Any] | None:
    row = await identity.platform.pool.fetchrow(
        "SELECT * FROM directory_users WHERE tenant_id = $1 AND user_id = $2",
        person.tenant_id, person.user_id)
    return dict(row) if row else None


async def test_the_directory_rows_hold_neither_name_nor_address_in_clear(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    ada = await identity.member(admin, "coach", name="Ada Lovelace")

    async def listed() -> bool:
        return await _row(identity, ada) is not None

    await eventually(listed, timeout=5, what="Ada in the directory")
    row = await _row(identity, ada)
    assert row is not None
    stored = repr(row).lower()
    assert "lovelace" not in stored and ada.email.lower() not in stored
    assert ada.email.split("@")[0].lower() not in stored
    assert row["email_index"] and row["email_index"] not in ada.email

    shown = await identity.client.get(f"/v1/organisations/{admin.tenant_id}/users/{ada.user_id}",
                                      headers=admin.headers)
    assert (shown.json()["display_name"], shown.json()["email"]) == ("Ada Lovelace", ada.email)


async def test_scim_filters_on_sealed_names_and_addresses_still_answer(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await _scim_headers(identity, admin)
    ada = await identity.member(admin, "coach", name="Ada Lovelace")
    alan = await identity.member(admin, "coachee", name="Alan Turing")

    assert await _found(identity, headers, f'userName eq "{ada.email.upper()}"') == [ada.user_id]
    assert await _found(identity, headers, f'emails[value eq "{alan.email}"]') == [alan.user_id]
    assert await _found(identity, headers, 'displayName sw "ada l"') == [ada.user_id]
    assert await _found(identity, headers, 'name.formatted co "TURING"') == [alan.user_id]
    assert await _found(identity, headers,
                        f'emails[type eq "work"].value ew "{alan.email[-20:]}"') == [alan.user_id]
    everyone_but_ada = await _found(identity, headers, 'not (displayName eq "Ada Lovelace")')
    assert ada.user_id not in everyone_but_ada and alan.user_id in everyone_but_ada
    assert await _found(identity, headers, 'displayName eq "Grace Hopper"') == []

    paged = (await identity.client.get(f"{SCIM}/Users", headers=headers, params={
        "filter": 'displayName pr', "startIndex": "2", "count": "1"})).json()
    assert (paged["totalResults"], paged["startIndex"], len(paged["Resources"])) == (3, 2, 1)


async def _read_models_in_clear(identity: RunningIdentity, needle: str) -> list[str]:
    """The tables of identity's schema with a row holding ``needle`` in clear (case aside)."""
    tables = await identity.platform.pool.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        " AND table_type = 'BASE TABLE'")
    found = []
    for table in (t["table_name"] for t in tables):
        rows = await identity.platform.pool.fetch(f'SELECT * FROM "{table}"')
        if any(needle.lower() in repr(dict(r)).lower() for r in rows):
            found.append(table)
    return found


async def test_an_external_id_that_is_the_address_is_sealed_and_erased_with_the_person(
        identity: RunningIdentity) -> None:
    """Entra ID and Okta may send the address as externalId: it is sealed like the address,
    found through its own blind index (caseExact), and gone with the person's key."""
    admin = await identity.organisation()
    headers = await _scim_headers(identity, admin)
    email = identity.unique_email("quill")
    created = await identity.client.post(f"{SCIM}/Users", headers=headers, json={
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": email,
        "displayName": "Ysolde Quill", "externalId": email, "active": True})
    assert created.status_code == 201, created.text
    assert created.json()["externalId"] == email
    person = Person(created.json()["id"], admin.tenant_id, email, "", (), "", "")

    row = await _row(identity, person)
    assert row is not None and email.lower() not in repr(row).lower()
    assert row["external_id_index"] and row["external_id_index"] != row["email_index"]
    assert await _read_models_in_clear(identity, email) == []
    assert await _found(identity, headers, f'externalId eq "{email}"') == [person.user_id]
    assert await _found(identity, headers, f'externalId eq "{email.upper()}"') == []
    assert await _found(identity, headers, f'externalId sw "{email[:8]}"') == [person.user_id]

    officer = await identity.member(admin, "compliance_officer")
    erased = await identity.client.post(
        f"/v1/organisations/{admin.tenant_id}/erasures", headers=officer.headers,
        json={"subject_id": person.user_id, "reason": "the person asked"})
    assert erased.status_code == 202, erased.text

    async def gone() -> bool:
        return await _row(identity, person) is None

    await eventually(gone, timeout=5, what="the erased person's row gone")
    assert await _read_models_in_clear(identity, email) == []
    assert await _found(identity, headers, f'externalId eq "{email}"') == []


async def test_an_external_id_written_in_clear_by_a_v1_event_is_sealed_as_it_is_projected(
        identity: RunningIdentity) -> None:
    """Events shipped before v2 keep their external id in clear (events are never edited):
    the directory seals it as it projects them, and it still answers a filter."""
    admin = await identity.organisation()
    headers = await _scim_headers(identity, admin)
    deps = identity.app.state.identity
    user_id, email = new_id(), identity.unique_email("legacy")
    ctx = deps.context(admin.tenant_id, Actor.system("test"))
    current = UserProvisioned(
        user_id=user_id, email=Secret(email, user_id), email_digest=deps.digest(email),
        display_name=Secret("Lou Legacy", user_id), roles=("coachee",), source="scim")
    envelope = await deps.users.codec.encode(current, ctx, user_id)
    v1 = replace(envelope, schema_version=1,
                 payload={**envelope.payload, "external_id": f"ext-{email}"})
    await deps.users.store.append(deps.users.subject(admin.tenant_id, user_id), [v1],
                                  expected_last_seq=0)
    person = Person(user_id, admin.tenant_id, email, "", (), "", "")

    async def listed() -> bool:
        return await _row(identity, person) is not None

    await eventually(listed, timeout=5, what="the v1 person in the directory")
    row = await _row(identity, person)
    assert row is not None and email.lower() not in repr(row).lower()
    assert await _found(identity, headers, f'externalId eq "ext-{email}"') == [user_id]
    shown = await identity.client.get(f"{SCIM}/Users/{user_id}", headers=headers)
    assert shown.json()["externalId"] == f"ext-{email}"
