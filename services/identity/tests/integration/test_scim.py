"""SCIM provisioning as Entra ID and Okta drive it, through the HTTP API on real servers."""

from __future__ import annotations

from typing import Any

import pytest

from interlude.identity.testing import Person, RunningIdentity

SCIM = "/scim/v2"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


async def scim_headers(identity: RunningIdentity, admin: Person) -> dict[str, str]:
    response = await identity.client.post(
        f"/v1/organisations/{admin.tenant_id}/scim-tokens", headers=admin.headers,
        json={"label": "Entra ID"})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}",
            "Content-Type": "application/scim+json"}


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH], "Operations": list(operations)}


def new_user(email: str, given: str = "Grace", family: str = "Hopper",
             external_id: str | None = None) -> dict[str, Any]:
    return {"schemas": [USER], "userName": email, "active": True,
            "name": {"givenName": given, "familyName": family},
            "displayName": f"{given} {family}", "externalId": external_id or email,
            "emails": [{"value": email, "type": "work", "primary": True}]}


async def find(identity: RunningIdentity, headers: dict[str, str], filter_: str,
               **params: Any) -> dict[str, Any]:
    response = await identity.client.get(f"{SCIM}/Users", headers=headers,
                                         params={"filter": filter_, **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    return response.json()


async def signs_in(identity: RunningIdentity, email: str, password: str) -> int:
    response = await identity.client.post("/v1/sessions",
                                          json={"email": email, "password": password})
    return response.status_code


async def test_entra_creates_a_person_it_did_not_find(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    email = identity.unique_email("grace")

    assert (await find(identity, headers, f'userName eq "{email}"'))["totalResults"] == 0
    created = await identity.client.post(f"{SCIM}/Users", headers=headers,
                                         json=new_user(email, external_id="entra-1"))
    assert created.status_code == 201, created.text
    user = created.json()
    assert (user["userName"], user["displayName"], user["active"]) == (email, "Grace Hopper",
                                                                       True)
    assert user["externalId"] == "entra-1"
    assert created.headers["Location"] == user["meta"]["location"]
    assert user["meta"]["location"].endswith(f"/scim/v2/Users/{user['id']}")

    fetched = await identity.client.get(f"{SCIM}/Users/{user['id']}", headers=headers)
    assert fetched.json()["emails"] == [{"value": email, "type": "work", "primary": True}]
    assert fetched.json()["roles"] == [{"value": "coachee"}]
    found = await find(identity, headers, f'userName eq "{email.upper()}"')  # not caseExact
    assert [r["id"] for r in found["Resources"]] == [user["id"]]
    by_external = await find(identity, headers, 'externalId eq "entra-1"')
    assert [r["id"] for r in by_external["Resources"]] == [user["id"]]

    again = await identity.client.post(f"{SCIM}/Users", headers=headers, json=new_user(email))
    assert again.status_code == 409
    assert again.json()["scimType"] == "uniqueness"


async def test_entra_disabling_a_person_ends_their_sessions_until_enabled_again(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    coach = await identity.member(admin, "coach", name="Alan Turing")
    found = await find(identity, headers, f'userName eq "{coach.email}"')
    assert [r["id"] for r in found["Resources"]] == [coach.user_id]

    disabled = await identity.client.patch(
        f"{SCIM}/Users/{coach.user_id}", headers=headers,
        json=patch({"op": "Replace", "path": "active", "value": "False"}))
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["active"] is False
    assert await signs_in(identity, coach.email, coach.password) == 401
    refreshed = await identity.client.post("/v1/tokens/refresh",
                                           json={"refresh_token": coach.refresh_token})
    assert refreshed.status_code == 401
    listed = await find(identity, headers, f'userName eq "{coach.email}"')
    assert listed["Resources"][0]["active"] is False

    enabled = await identity.client.patch(
        f"{SCIM}/Users/{coach.user_id}", headers=headers,
        json=patch({"op": "Replace", "path": "active", "value": "True"},
                   {"op": "Replace", "path": "name.givenName", "value": "Alan M."}))
    assert enabled.json()["active"] is True
    assert enabled.json()["displayName"] == "Alan M. Turing"
    assert await signs_in(identity, coach.email, coach.password) == 200


async def test_entra_changes_the_address_a_person_signs_in_with(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    coach = await identity.member(admin, "coach")
    moved = identity.unique_email("moved")
    changed = await identity.client.patch(
        f"{SCIM}/Users/{coach.user_id}", headers=headers,
        json=patch({"op": "Replace", "path": "userName", "value": moved},
                   {"op": "Replace", "path": 'emails[type eq "work"].value', "value": moved},
                   {"op": "Add", "path": "externalId", "value": "entra-42"},
                   {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:"
                    "2.0:User:department", "value": "Coaching"}))
    assert changed.status_code == 200, changed.text
    assert (changed.json()["userName"], changed.json()["externalId"]) == (moved, "entra-42")
    assert await signs_in(identity, moved, coach.password) == 200
    assert await signs_in(identity, coach.email, coach.password) == 401


async def test_okta_pages_through_people_and_replaces_them(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    ids = [admin.user_id]
    for i in range(5):
        created = await identity.client.post(f"{SCIM}/Users", headers=headers, json=new_user(
            identity.unique_email("okta"), given=f"Person{i}"))
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])

    seen: list[str] = []
    for start in (1, 3, 5):
        page = (await identity.client.get(f"{SCIM}/Users", headers=headers,
                                          params={"startIndex": start, "count": 2})).json()
        assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (6, start, 2)
        seen += [r["id"] for r in page["Resources"]]
    assert seen == ids
    okta_only = await find(identity, headers, 'userName sw "okta." and active eq true',
                           startIndex=2, count=10)
    assert (okta_only["totalResults"], okta_only["itemsPerPage"]) == (5, 4)

    replaced = await identity.client.put(f"{SCIM}/Users/{ids[1]}", headers=headers, json={
        **new_user(identity.unique_email("renamed"), given="Ada", family="Lovelace"),
        "externalId": "okta-00u1"})
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["displayName"], replaced.json()["externalId"]) == (
        "Ada Lovelace", "okta-00u1")

    deactivated = await identity.client.patch(
        f"{SCIM}/Users/{ids[1]}", headers=headers,
        json=patch({"op": "replace", "value": {"active": False}}))
    assert deactivated.json()["active"] is False
    inactive = await find(identity, headers, "active eq false")
    assert [r["id"] for r in inactive["Resources"]] == [ids[1]]


async def test_new_people_get_the_roles_single_sign_on_gives_newcomers(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    configured = await identity.client.put(
        f"/v1/organisations/{admin.tenant_id}/sso", headers=admin.headers, json={
            "issuer": "https://login.example.org", "client_id": "interlude",
            "client_secret": "s3cret", "allowed_domains": ["example.org"],
            "default_roles": ["coach", "coachee"]})
    assert configured.status_code == 200, configured.text
    created = await identity.client.post(f"{SCIM}/Users", headers=headers,
                                         json=new_user(identity.unique_email("sso")))
    assert created.json()["roles"] == [{"value": "coach"}, {"value": "coachee"}]


async def test_deleting_a_person_deactivates_them_and_keeps_the_record(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    coachee = await identity.member(admin, "coachee")
    deleted = await identity.client.delete(f"{SCIM}/Users/{coachee.user_id}", headers=headers)
    assert deleted.status_code == 204
    after = await identity.client.get(f"{SCIM}/Users/{coachee.user_id}", headers=headers)
    assert after.json()["active"] is False
    assert await signs_in(identity, coachee.email, coachee.password) == 401


async def roles_of(identity: RunningIdentity, person: Person) -> list[str]:
    response = await identity.client.post("/v1/sessions", json={
        "email": person.email, "password": person.password})
    assert response.status_code == 200, response.text
    return sorted(response.json()["roles"])


async def test_a_group_named_after_a_role_grants_it_to_its_members(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    ann = await identity.member(admin, "coachee", name="Ann")
    bob = await identity.member(admin, "coachee", name="Bob")

    created = await identity.client.post(f"{SCIM}/Groups", headers=headers, json={
        "schemas": [GROUP], "displayName": "interlude-coach", "externalId": "g-1",
        "members": [{"value": ann.user_id}]})
    assert created.status_code == 201, created.text
    group = created.json()
    assert group["members"][0]["display"] == "Ann"
    assert await roles_of(identity, ann) == ["coach", "coachee"]

    added = await identity.client.patch(
        f"{SCIM}/Groups/{group['id']}", headers=headers,
        json=patch({"op": "Add", "path": "members", "value": [{"value": bob.user_id}]}))
    assert added.status_code == 200, added.text
    assert await roles_of(identity, bob) == ["coach", "coachee"]
    listed = (await identity.client.get(f"{SCIM}/Groups", headers=headers, params={
        "filter": f'displayName eq "Interlude-Coach" and members[value eq "{bob.user_id}"]'},
    )).json()
    assert [g["id"] for g in listed["Resources"]] == [group["id"]]
    slim = (await identity.client.get(f"{SCIM}/Groups", headers=headers, params={
        "filter": 'displayName eq "interlude-coach"', "excludedAttributes": "members"})).json()
    assert [("members" in g, g["displayName"]) for g in slim["Resources"]] == [
        (False, "interlude-coach")]

    removed = await identity.client.patch(
        f"{SCIM}/Groups/{group['id']}", headers=headers,
        json=patch({"op": "remove", "path": f'members[value eq "{ann.user_id}"]'}))
    assert [m["value"] for m in removed.json()["members"]] == [bob.user_id]
    assert await roles_of(identity, ann) == ["coachee"]

    deleted = await identity.client.delete(f"{SCIM}/Groups/{group['id']}", headers=headers)
    assert deleted.status_code == 204
    assert await roles_of(identity, bob) == ["coachee"]
    gone = await identity.client.get(f"{SCIM}/Groups/{group['id']}", headers=headers)
    assert gone.status_code == 404


async def test_leaving_a_role_group_keeps_a_persons_only_role(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    coach = await identity.member(admin, "coach")
    created = await identity.client.post(f"{SCIM}/Groups", headers=headers, json={
        "schemas": [GROUP], "displayName": "coach", "members": [{"value": coach.user_id}]})
    renamed = await identity.client.patch(
        f"{SCIM}/Groups/{created.json()['id']}", headers=headers,
        json=patch({"op": "Replace", "path": "displayName", "value": "Book club"},
                   {"op": "Remove", "path": "members", "value": [{"value": coach.user_id}]}))
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["displayName"] == "Book club"
    assert await roles_of(identity, coach) == ["coach"]


async def test_only_people_of_the_organisation_can_be_members(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    stranger = await identity.organisation("Elsewhere")
    refused = await identity.client.post(f"{SCIM}/Groups", headers=headers, json={
        "schemas": [GROUP], "displayName": "coach", "members": [{"value": stranger.user_id}]})
    assert refused.status_code == 400
    assert (refused.json()["scimType"], refused.json()["schemas"]) == ("invalidValue", [ERROR])
    assert await roles_of(identity, stranger) == ["org_admin"]


async def test_scim_needs_the_organisations_token(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    for sent in ({}, {"Authorization": "Bearer scim_x.y.z"}, admin.headers):
        response = await identity.client.get(f"{SCIM}/Users", headers=sent)
        assert response.status_code == 401
        assert response.json()["schemas"] == [ERROR]
        assert response.json()["status"] == "401"

    token_id = headers["Authorization"].split(".")[1]
    revoked = await identity.client.delete(
        f"/v1/organisations/{admin.tenant_id}/scim-tokens/{token_id}", headers=admin.headers)
    assert revoked.status_code == 200, revoked.text
    assert (await identity.client.get(f"{SCIM}/Users", headers=headers)).status_code == 401


async def test_another_organisations_people_and_groups_are_not_found(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    group = (await identity.client.post(f"{SCIM}/Groups", headers=headers, json={
        "schemas": [GROUP], "displayName": "Team"})).json()
    other = await scim_headers(identity, await identity.organisation("Rival"))

    user_url, group_url = f"{SCIM}/Users/{admin.user_id}", f"{SCIM}/Groups/{group['id']}"
    disable = patch({"op": "replace", "path": "active", "value": False})
    for method, url, body in (("GET", user_url, None), ("PATCH", user_url, disable),
                              ("DELETE", user_url, None), ("GET", group_url, None),
                              ("PUT", group_url, {"schemas": [GROUP], "displayName": "Mine"}),
                              ("DELETE", group_url, None)):
        response = await identity.client.request(method, url, headers=other, json=body)
        assert response.status_code == 404, (method, url, response.text)
    listed = await find(identity, other, f'userName eq "{admin.email}"')
    assert listed["totalResults"] == 0
    assert await signs_in(identity, admin.email, admin.password) == 200


U = b'{"schemas": ["' + USER.encode() + b'"], '  # the start of a user's body, a group's
G = b'{"schemas": ["' + GROUP.encode() + b'"], '


@pytest.mark.parametrize(("method", "path", "body", "scim_type"), [
    ("POST", "/Users", b"{not json", "invalidSyntax"),
    ("POST", "/Users", b"[]", "invalidSyntax"),
    ("POST", "/Users", b'{"schemas": ["' + USER.encode() + b'"]}', "invalidValue"),
    ("POST", "/Users", U + b'"userName": "not an address"}', "invalidValue"),
    ("POST", "/Users", U + b'"userName": 42}', "invalidValue"),
    ("POST", "/Users", U + b'"userName": "a@example.org", "active": "maybe"}', "invalidValue"),
    ("POST", "/Users", b'{"userName": "a@example.org"}', "invalidValue"),  # no schemas
    ("GET", "/Users?filter=userName%20eq", None, "invalidFilter"),
    ("GET", '/Users?filter=password eq "x"', None, "invalidFilter"),
    ("GET", "/Users?startIndex=first", None, "invalidValue"),
    ("GET", '/Groups?filter=members[value co "x" or', None, "invalidFilter"),
    ("POST", "/Groups", G + b'"displayName": ""}', "invalidValue"),
    ("POST", "/Groups", G + b'"displayName": "x", "members": [{"value": "../../etc"}]}',
     "invalidValue"),
    ("POST", "/Groups", b'{"displayName": "x"}', "invalidValue"),  # no schemas
])
async def test_bad_input_is_a_scim_400(identity: RunningIdentity, method: str, path: str,
                                       body: bytes | None, scim_type: str) -> None:
    headers = await scim_headers(identity, await identity.organisation())
    response = await identity.client.request(method, SCIM + path, headers=headers, content=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    assert (response.json()["scimType"], response.json()["status"]) == (scim_type, "400")


async def test_a_replacement_without_schemas_is_refused_as_its_creation_is(
        identity: RunningIdentity) -> None:
    # found by the fuzzer: a PUT without schemas (REQUIRED, RFC 7643 §3) replaced the person
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    coach = await identity.member(admin, "coach", name="Alan Turing")
    group = (await identity.client.post(f"{SCIM}/Groups", headers=headers, json={
        "schemas": [GROUP], "displayName": "Team"})).json()
    replacement = {k: v for k, v in new_user(identity.unique_email("renamed"), "Ada",
                                             "Lovelace").items() if k != "schemas"}
    for method, url, body, schema in (
            ("PUT", f"/Users/{coach.user_id}", replacement, USER),
            ("POST", "/Users", replacement, USER),
            ("PUT", f"/Groups/{group['id']}", {"displayName": "Renamed"}, GROUP),
            ("PATCH", f"/Users/{coach.user_id}",
             {"Operations": [{"op": "replace", "path": "active", "value": False}]}, PATCH)):
        for schemas in ({}, {"schemas": []}):
            response = await identity.client.request(method, SCIM + url, headers=headers,
                                                     json={**body, **schemas})
            assert response.status_code == 400, (method, url, response.text)
            assert response.headers["content-type"].startswith("application/scim+json")
            error = response.json()
            assert (error["schemas"], error["status"], error["scimType"]) == (
                [ERROR], "400", "invalidValue")
            assert error["detail"] == f'schemas: required, e.g. ["{schema}"] (RFC 7643 §3)'
    kept = (await identity.client.get(f"{SCIM}/Users/{coach.user_id}", headers=headers)).json()
    assert (kept["displayName"], kept["active"]) == ("Alan Turing", True)
    named = (await identity.client.get(f"{SCIM}/Groups/{group['id']}", headers=headers)).json()
    assert named["displayName"] == "Team"


async def test_a_body_over_the_limit_is_a_scim_413_too(identity: RunningIdentity) -> None:
    # found by tests/fuzz/test_probes.py: a body that declared its length over the limit was
    # refused before the route ran, as a problem, which a directory does not parse
    headers = await scim_headers(identity, await identity.organisation())
    huge = b'{"userName": "' + b"x" * 300_000 + b'"}'
    response = await identity.client.post(f"{SCIM}/Users", headers=headers, content=huge)
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    assert response.json()["schemas"] == [ERROR]
    assert "256,000 bytes" in response.json()["detail"]


async def test_bad_patches_and_huge_pages_are_refused_or_capped(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    headers = await scim_headers(identity, admin)
    url = f"{SCIM}/Users/{admin.user_id}"
    for body in ({"Operations": "replace everything"}, patch({"op": "move", "path": "active"}),
                 patch({"op": "replace", "path": "nickName[", "value": 1}),
                 patch({"op": "replace", "path": "active", "value": {"deep": [1]}})):
        response = await identity.client.patch(url, headers=headers, json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["schemas"] == [ERROR]
    page = (await identity.client.get(f"{SCIM}/Users", headers=headers,
                                      params={"count": 10**9, "startIndex": -3})).json()
    assert (page["startIndex"], page["itemsPerPage"], page["totalResults"]) == (1, 1, 1)
    empty = (await identity.client.get(f"{SCIM}/Users", headers=headers,
                                       params={"count": -1})).json()
    assert (empty["totalResults"], empty["Resources"]) == (1, [])
    assert (await identity.client.get(f"{SCIM}/Users/no such id!", headers=headers)
            ).status_code == 404


async def test_directories_can_discover_what_is_supported(identity: RunningIdentity) -> None:
    config = (await identity.client.get(f"{SCIM}/ServiceProviderConfig")).json()
    assert config["patch"]["supported"] is True
    assert config["filter"] == {"supported": True, "maxResults": 200}
    types = (await identity.client.get(f"{SCIM}/ResourceTypes")).json()
    assert {t["endpoint"] for t in types["Resources"]} == {"/Users", "/Groups"}
    schemas = (await identity.client.get(f"{SCIM}/Schemas")).json()
    assert USER in {s["id"] for s in schemas["Resources"]}
    one = await identity.client.get(f"{SCIM}/Schemas/{GROUP}")
    assert one.json()["name"] == "Group"
