"""Changing one's password: the current one asked again, every other session signed out."""

from __future__ import annotations

from interlude.identity.testing import PASSWORD, RunningIdentity

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
