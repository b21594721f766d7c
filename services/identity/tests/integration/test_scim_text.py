"""Text a directory (SCIM) sends that the read side could not store (a NUL, another control
character, half a surrogate pair) is refused as SCIM's invalidValue naming the attribute,
before anything is written; nasty but valid text is kept and reads back. Such a name from an
identity provider (single sign-on) is not taken."""

from __future__ import annotations

import json
from typing import Any

import pytest

from interlude.identity.oidc_test_provider import OidcTestProvider, TestUser
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually

from .test_scim import ERROR, GROUP, SCIM, new_user, patch, scim_headers
from .test_sso import configure, provider, sign_in

__all__ = ["provider"]  # the fixture, for pytest

BAD = {"NUL": "a\u0000b", "bell": "a\u0007b", "line break": "a\nb", "C1": "a\u0085b",
       "lone surrogate": "a\ud800b"}
NASTY = "Zoë 🙂 ‏مرحبا‎ e\u0301 ﷽"


def _with(body: dict[str, Any], path: str, value: str) -> dict[str, Any]:
    changed = {**body, "name": dict(body.get("name", {}))}
    if path.startswith("name."):
        changed["name"][path.removeprefix("name.")] = value
    else:
        changed[path] = value
    return changed


def _json(body: dict[str, Any]) -> bytes:
    # escaped as JSON does (\\ud800): httpx's own encoder cannot write half a surrogate pair
    return json.dumps(body).encode()


def _refused(response: Any, attribute: str) -> None:
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["schemas"] == [ERROR]
    assert error["scimType"] == "invalidValue", error
    assert error["detail"].startswith(f"{attribute}:"), error


@pytest.mark.slow
async def test_control_characters_in_a_user_are_refused_and_nothing_is_created(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    for attribute in ("displayName", "name.givenName", "name.familyName", "name.formatted",
                      "externalId", "userName"):
        for what, value in BAD.items():
            email = identity.unique_email("grace")
            body = _with(new_user(email), attribute, value)
            response = await identity.client.post(f"{SCIM}/Users", headers=headers,
                                                  content=_json(body))
            _refused(response, attribute)
            found = await identity.client.get(f"{SCIM}/Users", headers=headers,
                                              params={"filter": f'userName eq "{email}"'})
            assert found.json()["totalResults"] == 0, (attribute, what)


async def test_control_characters_in_a_change_are_refused(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    email = identity.unique_email("grace")
    user = (await identity.client.post(f"{SCIM}/Users", headers=headers,
                                       json=new_user(email))).json()
    url = f"{SCIM}/Users/{user['id']}"
    patched = await identity.client.patch(url, headers=headers, content=_json(patch(
        {"op": "replace", "path": "displayName", "value": "Grace\u0000Hopper"})))
    _refused(patched, "displayName")
    replaced = await identity.client.put(url, headers=headers,
                                         json=_with(new_user(email), "displayName", "a\x1bb"))
    _refused(replaced, "displayName")
    assert (await identity.client.get(url, headers=headers)).json()["displayName"] == (
        "Grace Hopper")


async def test_a_group_with_control_characters_is_refused_not_a_500(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    for value in BAD.values():
        response = await identity.client.post(f"{SCIM}/Groups", headers=headers,
                                              content=_json({"schemas": [GROUP],
                                                             "displayName": value}))
        _refused(response, "displayName")
    group = await identity.client.post(f"{SCIM}/Groups", headers=headers, json={
        "schemas": [GROUP], "displayName": "coach"})
    assert group.status_code == 201, group.text
    url = f"{SCIM}/Groups/{group.json()['id']}"
    renamed = await identity.client.patch(url, headers=headers, json=patch(
        {"op": "replace", "path": "displayName", "value": "co\u0000ach"}))
    _refused(renamed, "displayName")
    filtered = await identity.client.get(f"{SCIM}/Groups", headers=headers,
                                         params={"filter": 'displayName eq "co\u0000ach"'})
    assert filtered.status_code == 400, filtered.text
    assert filtered.json()["scimType"] == "invalidFilter"


async def test_nasty_but_valid_names_are_kept(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    email = identity.unique_email("zoe")
    body = {**new_user(email), "displayName": NASTY, "externalId": "ext-" + NASTY}
    created = await identity.client.post(f"{SCIM}/Users", headers=headers, content=_json(body))
    assert created.status_code == 201, created.text
    fetched = (await identity.client.get(f"{SCIM}/Users/{created.json()['id']}",
                                         headers=headers)).json()
    assert (fetched["displayName"], fetched["externalId"]) == (NASTY, "ext-" + NASTY)
    group = await identity.client.post(f"{SCIM}/Groups", headers=headers, json={
        "schemas": [GROUP], "displayName": NASTY})
    assert group.status_code == 201, group.text
    assert group.json()["displayName"] == NASTY


async def test_a_provider_name_the_directory_cannot_store_is_not_taken(
        identity: RunningIdentity, provider: OidcTestProvider) -> None:
    """Single sign-on cannot answer the provider a 422: the person signs in all the same, known
    by their address, and reads back in the directory (was: dead-lettered, never listed)."""
    admin = await identity.organisation()
    await configure(identity, admin, provider)
    email = identity.unique_email("sso")
    provider.user = TestUser(email, name="Sam\u0000Single")
    response = await sign_in(identity, admin.tenant_id)
    assert response.status_code == 200, response.text
    user_id = response.json()["user_id"]

    async def listed() -> bool:
        found = await identity.client.get(f"/v1/organisations/{admin.tenant_id}/users/{user_id}",
                                          headers=admin.headers)
        return found.status_code == 200 and found.json()["display_name"] == email.split("@")[0]

    await eventually(listed, timeout=10, what="the person in the directory")
