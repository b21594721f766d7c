"""Passwords: changed with the current one, or chosen anew through a link e-mailed to its
person alone (a forgotten one); either way every other session is signed out."""

from __future__ import annotations

from datetime import timedelta

from interlude.identity.testing import PASSWORD, RunningIdentity, password_links

NEW = "a much longer passphrase, 2026"
PROBLEM = "urn:interlude:problem:"


async def change(identity: RunningIdentity, headers: dict[str, str], current: str,
                 new: str = NEW):
    return await identity.client.post("/v1/me/password", headers=headers, json={
        "current_password": current, "new_password": new})


async def sign_in(identity: RunningIdentity, email: str, password: str) -> int:
    return (await identity.client.post("/v1/sessions", json={
        "email": email, "password": password})).status_code


async def test_a_changed_password_signs_the_other_sessions_out(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    coachee = await identity.member(admin, "coachee")
    elsewhere = await identity.client.post("/v1/sessions", json={  # another device
        "email": coachee.email, "password": PASSWORD})
    changed = await change(identity, coachee.headers, PASSWORD)
    assert changed.status_code == 200, changed.text
    fresh = changed.json()

    assert await sign_in(identity, coachee.email, PASSWORD) == 401
    assert await sign_in(identity, coachee.email, NEW) == 200
    for old in (coachee.refresh_token, elsewhere.json()["refresh_token"]):
        refused = await identity.client.post("/v1/tokens/refresh", json={"refresh_token": old})
        assert refused.status_code == 401
    kept = await identity.client.post("/v1/tokens/refresh",
                                      json={"refresh_token": fresh["refresh_token"]})
    assert kept.status_code == 200
    me = await identity.client.get("/v1/me", headers={
        "Authorization": f"Bearer {fresh['access_token']}"})
    assert me.json()["user_id"] == coachee.user_id


async def test_a_wrong_current_password_is_refused_and_throttled_like_a_sign_in(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    coach = await identity.member(admin, "coach")
    statuses = []
    for _ in range(6):
        wrong = await change(identity, coach.headers, "not my password")
        statuses.append(wrong.status_code)
    assert statuses[:5] == [403] * 5 and statuses[5] == 429
    assert wrong.json()["type"] == PROBLEM + "login-throttled"
    assert (await sign_in(identity, coach.email, PASSWORD)) == 429  # the same secret guessed
    assert (await sign_in(identity, coach.email, NEW)) == 429


async def test_a_weak_new_password_or_a_service_is_refused_with_a_problem(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    weak = await change(identity, admin.headers, PASSWORD, "short")
    assert weak.status_code == 422
    assert "password" in weak.json()["detail"]
    assert await sign_in(identity, admin.email, PASSWORD) == 200  # unchanged
    service = await change(identity, await identity.service_headers(), PASSWORD)
    assert service.status_code == 403


async def ask(identity: RunningIdentity, email: str) -> None:
    asked = await identity.client.post("/v1/password-resets", json={"email": email})
    assert asked.status_code == 202 and "on its way" in asked.json()["detail"]  # either way


async def test_a_forgotten_password_is_chosen_anew_through_a_link_that_works_once(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    coachee = await identity.member(admin, "coachee")
    await ask(identity, coachee.email.upper())
    [token] = await password_links(identity, coachee)
    opened = await identity.client.get(f"/v1/password-resets/{token}")
    assert opened.status_code == 200 and opened.json()["status"] == "open"

    chosen = await identity.client.post("/v1/password-resets/accept", json={
        "token": token, "password": NEW})
    assert chosen.status_code == 200, chosen.text
    assert await sign_in(identity, coachee.email, NEW) == 200
    assert await sign_in(identity, coachee.email, PASSWORD) == 401
    refused = await identity.client.post("/v1/tokens/refresh",
                                         json={"refresh_token": coachee.refresh_token})
    assert refused.status_code == 401  # the other sessions are signed out
    again = await identity.client.post("/v1/password-resets/accept", json={
        "token": token, "password": "yet another passphrase 2026"})
    assert again.status_code == 404
    assert again.json()["type"] == PROBLEM + "password-reset-invalid"


async def test_a_newer_link_replaces_the_older_and_an_expired_one_is_refused(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    coach = await identity.member(admin, "coach")
    await ask(identity, coach.email)
    await ask(identity, coach.email)
    first, second = await password_links(identity, coach)
    older = await identity.client.get(f"/v1/password-resets/{first}")
    assert older.status_code == 404
    deps = identity.app.state.identity
    real_clock = deps.clock
    deps.clock = lambda: real_clock() + timedelta(hours=2, minutes=1)
    try:
        late = await identity.client.post("/v1/password-resets/accept", json={
            "token": second, "password": NEW})
    finally:
        deps.clock = real_clock
    assert late.status_code == 410
    assert late.json()["type"] == PROBLEM + "password-reset-expired"


async def test_links_asked_for_too_often_or_for_no_account_are_quietly_not_sent(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    coachee = await identity.member(admin, "coachee")
    invited = await identity.invite(admin, "coachee")
    await ask(identity, identity.unique_email("nobody"))
    await ask(identity, invited["email"])  # not joined yet: no password to reset
    for _ in range(4):
        await ask(identity, coachee.email)
    assert len(await password_links(identity, coachee)) == 3  # a few an hour


async def test_an_administrator_has_the_link_sent_and_never_sees_it(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    coachee = await identity.member(admin, "coachee")
    invited = await identity.invite(admin, "coachee")
    org = f"/v1/organisations/{admin.tenant_id}/users"
    sent = await identity.client.post(f"{org}/{coachee.user_id}/password-reset",
                                      headers=admin.headers)
    assert sent.status_code == 202, sent.text
    [token] = await password_links(identity, coachee)
    assert token not in sent.text and set(sent.json()) == {"id", "position"}
    refused = await identity.client.post(f"{org}/{invited['user_id']}/password-reset",
                                         headers=admin.headers)
    assert refused.status_code == 409
    stranger = await identity.client.post(f"{org}/{coachee.user_id}/password-reset",
                                          headers=coachee.headers)
    assert stranger.status_code == 403
