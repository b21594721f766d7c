"""Organisations, invitations and signing in, through the HTTP API on real servers."""

from __future__ import annotations

from datetime import timedelta

from interlude.identity.testing import PASSWORD, RunningIdentity


async def test_an_invitation_signs_the_person_in_and_works_only_once(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    invitation = await identity.invite(admin, "coachee")
    accepted = await identity.client.post("/v1/invitations/accept", json={
        "token": invitation["token"], "password": PASSWORD})
    assert accepted.status_code == 200, accepted.text
    me = await identity.client.get("/v1/me", headers={
        "Authorization": f"Bearer {accepted.json()['access_token']}"})
    assert me.json()["roles"] == ["coachee"]

    again = await identity.client.post("/v1/invitations/accept", json={
        "token": invitation["token"], "password": PASSWORD})
    assert again.status_code == 410
    assert again.json()["type"] == "urn:interlude:problem:invitation-used"


async def test_an_expired_invitation_is_refused(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    invitation = await identity.invite(admin, "coach")
    deps = identity.app.state.identity
    real_clock = deps.clock
    deps.clock = lambda: real_clock() + timedelta(hours=73)
    try:
        opened = await identity.client.get(f"/v1/invitations/{invitation['token']}")
        accepted = await identity.client.post("/v1/invitations/accept", json={
            "token": invitation["token"], "password": PASSWORD})
    finally:
        deps.clock = real_clock
    assert opened.status_code == 410
    assert accepted.status_code == 410
    assert accepted.json()["type"] == "urn:interlude:problem:invitation-expired"
    signed_in = await identity.client.post("/v1/sessions", json={
        "email": invitation["email"], "password": PASSWORD})
    assert signed_in.status_code == 401


async def test_an_expired_invitation_is_sent_again_and_only_the_new_link_works(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    first = await identity.invite(admin, "coach", name="Claire Coach")
    org = f"/v1/organisations/{admin.tenant_id}"
    deps = identity.app.state.identity
    real_clock = deps.clock
    deps.clock = lambda: real_clock() + timedelta(hours=73)  # the first link has expired
    try:
        again = await identity.client.post(f"{org}/invitations", headers=admin.headers, json={
            "email": first["email"], "display_name": "Claire Coach", "roles": ["coach"]})
        assert again.status_code == 409
        assert again.json()["user_id"] == first["user_id"]
        assert f"/users/{first['user_id']}/invitation" in again.json()["detail"]

        reissued = await identity.client.post(f"{org}/users/{first['user_id']}/invitation",
                                              headers=admin.headers)
        assert reissued.status_code == 201, reissued.text
        second = reissued.json()
        assert second["user_id"] == first["user_id"] and second["token"] != first["token"]
        assert second["accept_url"].endswith(second["token"])
        old = await identity.client.post("/v1/invitations/accept", json={
            "token": first["token"], "password": PASSWORD})
        assert old.status_code == 404  # the earlier link stopped working
        joined = await identity.client.post("/v1/invitations/accept", json={
            "token": second["token"], "password": PASSWORD})
        assert joined.status_code == 200, joined.text
        once_joined = await identity.client.post(
            f"{org}/users/{first['user_id']}/invitation", headers=admin.headers)
        assert once_joined.status_code == 409
        assert once_joined.json()["type"] == "urn:interlude:problem:invalid-state"
    finally:
        deps.clock = real_clock
    signed_in = await identity.client.post("/v1/sessions", json={
        "email": first["email"], "password": PASSWORD})
    assert signed_in.status_code == 200


async def test_a_forged_invitation_token_is_refused(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    invitation = await identity.invite(admin, "coachee")
    tenant, user, _secret = invitation["token"].split(".")
    for token in (f"{tenant}.{user}.guessed", "not-a-token", "a.b.c", "../../etc.x.y"):
        response = await identity.client.post("/v1/invitations/accept", json={
            "token": token, "password": PASSWORD})
        assert response.status_code == 404, (token, response.text)
        assert response.json()["type"] == "urn:interlude:problem:invitation-invalid"


async def test_a_short_password_is_refused_and_the_invitation_still_works(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    invitation = await identity.invite(admin, "coachee")
    short = await identity.client.post("/v1/invitations/accept", json={
        "token": invitation["token"], "password": "short"})
    assert short.status_code == 422
    assert "at least 10 characters" in short.json()["detail"]
    ok = await identity.client.post("/v1/invitations/accept", json={
        "token": invitation["token"], "password": PASSWORD})
    assert ok.status_code == 200


async def test_an_address_can_have_only_one_account(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    invitation = await identity.invite(admin, "coachee")
    again = await identity.client.post(
        f"/v1/organisations/{admin.tenant_id}/invitations", headers=admin.headers,
        json={"email": invitation["email"].upper(), "display_name": "Twin", "roles": ["coach"]})
    assert again.status_code == 409
    assert again.json()["type"] == "urn:interlude:problem:already-exists"


async def test_the_directory_lists_people_with_their_names_for_the_org_admin(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    coach = await identity.member(admin, "coach", name="Claire Coach")
    await _wait_listed(identity, admin, coach.user_id)
    listed = await identity.client.get(f"/v1/organisations/{admin.tenant_id}/users",
                                       headers=admin.headers)
    people = {u["id"]: u for u in listed.json()["users"]}
    assert people[coach.user_id]["display_name"] == "Claire Coach"
    assert people[coach.user_id]["status"] == "active"
    refused = await identity.client.get(f"/v1/organisations/{admin.tenant_id}/users",
                                        headers=coach.headers)
    assert refused.status_code == 403


async def test_the_directory_pages_by_cursor_and_counts_people_by_status(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    members = [await identity.member(admin, "coachee", name=f"Person {i}") for i in range(4)]
    await identity.invite(admin, "coachee", name="Not yet")  # invited: a status of its own
    for person in members:
        await _wait_listed(identity, admin, person.user_id)
    url = f"/v1/organisations/{admin.tenant_id}/users"
    seen: list[str] = []
    page = (await identity.client.get(url, headers=admin.headers, params={"limit": 2})).json()
    while True:
        assert page["total"] == 6  # the admin, four members and the one invited
        seen += [u["id"] for u in page["users"]]
        if page["next_cursor"] is None:
            break
        page = (await identity.client.get(url, headers=admin.headers, params={
            "limit": 2, "cursor": page["next_cursor"]})).json()
    assert len(seen) == len(set(seen)) == 6
    by_offset = (await identity.client.get(url, headers=admin.headers,
                                           params={"limit": 2, "offset": 2})).json()
    assert [u["id"] for u in by_offset["users"]] == seen[2:4]
    gone = await identity.client.post(f"{url}/{members[0].user_id}/deactivate",
                                      headers=admin.headers, json={"reason": "left"})
    assert gone.status_code == 200, gone.text

    async def counted() -> bool:
        active = (await identity.client.get(url, headers=admin.headers,
                                            params={"status": "active"})).json()
        return bool(active["total"] == 4 and len(active["users"]) == 4)

    from interlude.shared.testing.eventually import eventually
    await eventually(counted, timeout=5)
    invited = (await identity.client.get(url, headers=admin.headers,
                                         params={"status": "invited"})).json()
    assert invited["total"] == 1 and invited["users"][0]["display_name"] == "Not yet"
    wrong = await identity.client.get(url, headers=admin.headers, params={"cursor": "nonsense"})
    assert wrong.status_code == 422 and wrong.json()["type"].startswith("urn:interlude:problem")


async def _wait_listed(identity: RunningIdentity, admin, user_id: str) -> None:
    from interlude.shared.testing.eventually import eventually

    async def listed() -> bool:
        response = await identity.client.get(
            f"/v1/organisations/{admin.tenant_id}/users/{user_id}", headers=admin.headers)
        return response.status_code == 200 and response.json()["status"] == "active"

    await eventually(listed, timeout=5)


async def test_a_retried_invitation_gives_the_same_link_once(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    body = {"email": identity.unique_email("retry"), "display_name": "Rita Retry",
            "roles": ["coachee"]}
    headers = {**admin.headers, "Idempotency-Key": "invite-rita-1"}
    url = f"/v1/organisations/{admin.tenant_id}/invitations"
    first = await identity.client.post(url, headers=headers, json=body)
    again = await identity.client.post(url, headers=headers, json=body)
    assert first.status_code == again.status_code == 201, again.text
    assert first.json()["user_id"] == again.json()["user_id"]
    assert first.json()["token"] == again.json()["token"]
    accepted = await identity.client.post("/v1/invitations/accept", json={
        "token": again.json()["token"], "password": PASSWORD})
    assert accepted.status_code == 200, accepted.text
