"""Text a directory sends that the read side could not store (a NUL, another control
character, half a surrogate pair) is refused as SCIM's invalidValue naming the attribute,
before anything is written; nasty but valid text is kept and reads back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from interlude.identity.testing import RunningIdentity

from .test_scim import ERROR, GROUP, SCIM, new_user, patch, scim_headers

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
