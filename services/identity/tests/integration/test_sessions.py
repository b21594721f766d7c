"""Signing in: throttling, the second factor, refresh rotation, signing out, deactivation."""

from __future__ import annotations

from datetime import datetime

import pyotp

from interlude.identity.testing import PASSWORD, RunningIdentity


async def sign_in(identity: RunningIdentity, email: str, password: str = PASSWORD, **extra):
    return await identity.client.post("/v1/sessions",
                                      json={"email": email, "password": password, **extra})


async def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    wrong = await sign_in(identity, admin.email, "not the password")
    unknown = await sign_in(identity, "nobody@example.org")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_sign_in_is_throttled_after_repeated_failures(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    statuses = [(await sign_in(identity, admin.email, "guess number " + str(i))).status_code
                for i in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    locked = await sign_in(identity, admin.email)  # even the right password waits
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) >= 1
    assert locked.json()["retry_after"] >= 1
    other = await identity.member(admin, "coach")  # other accounts are not locked
    assert (await sign_in(identity, other.email)).status_code == 200


async def test_sign_in_is_throttled_per_source_address(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    for i in range(20):
        await sign_in(identity, f"spray.{i}@example.org", "password spraying")
    assert (await sign_in(identity, admin.email)).status_code == 429


async def test_a_second_factor_cannot_be_skipped_once_on(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    coach = await identity.member(admin, "coach")
    started = await identity.client.post("/v1/mfa/enrol", json={}, headers=coach.headers)
    assert started.status_code == 200, started.text
    totp = pyotp.TOTP(started.json()["secret"])
    confirmed = await identity.client.post("/v1/mfa/confirm", headers=coach.headers,
                                           json={"code": totp.now()})
    assert confirmed.status_code == 200, confirmed.text

    without = await sign_in(identity, coach.email)
    assert without.status_code == 401
    assert without.json()["type"] == "urn:interlude:problem:mfa-required"
    reused = await sign_in(identity, coach.email, otp=totp.now())  # used to confirm: once only
    assert reused.status_code == 401
    next_code = totp.at(datetime.now().timestamp() + 30)
    ok = await sign_in(identity, coach.email, otp=next_code)
    assert ok.status_code == 200, ok.text
    me = await identity.client.get("/v1/me", headers={
        "Authorization": f"Bearer {ok.json()['access_token']}"})
    assert me.json()["amr"] == ["pwd", "otp"]


async def test_a_policy_requiring_a_second_factor_makes_people_enrol_first(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    coach = await identity.member(admin, "coach")
    changed = await identity.client.patch(
        f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers,
        json={"changes": {"auth.mfa_required_roles": ["coach"]}, "reason": "ISO 27001"})
    assert changed.status_code == 200, changed.text

    refused = await sign_in(identity, coach.email)
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:interlude:problem:mfa-enrolment-required"
    ticket = refused.json()["mfa_ticket"]
    assert "access_token" not in refused.json()
    enrol = await identity.client.post("/v1/mfa/enrol", json={"ticket": ticket})
    totp = pyotp.TOTP(enrol.json()["secret"])
    done = await identity.client.post("/v1/mfa/confirm", json={"ticket": ticket,
                                                               "code": totp.now()})
    assert done.status_code == 200, done.text
    assert (await identity.client.post("/v1/mfa/enrol", json={"ticket": ticket})).status_code \
        == 401  # the ticket worked once
    ok = await sign_in(identity, coach.email,
                       otp=totp.at(datetime.now().timestamp() + 30))
    assert ok.status_code == 200, ok.text
    assert (await sign_in(identity, admin.email)).status_code == 200  # not required for admins


async def test_refresh_tokens_rotate_and_a_replayed_one_signs_the_session_out(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    first = admin.refresh_token
    rotated = await identity.client.post("/v1/tokens/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200
    second = rotated.json()["refresh_token"]
    assert second != first
    replay = await identity.client.post("/v1/tokens/refresh", json={"refresh_token": first})
    assert replay.status_code == 401
    after_replay = await identity.client.post("/v1/tokens/refresh",
                                              json={"refresh_token": second})
    assert after_replay.status_code == 401  # the whole family is gone


async def test_signing_out_revokes_the_refresh_token(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    out = await identity.client.post("/v1/tokens/revoke",
                                     json={"refresh_token": admin.refresh_token})
    assert out.status_code == 204
    again = await identity.client.post("/v1/tokens/refresh",
                                       json={"refresh_token": admin.refresh_token})
    assert again.status_code == 401


async def test_a_deactivated_person_is_refused_at_once(identity: RunningIdentity) -> None:
    from interlude.shared.testing.eventually import eventually

    admin = await identity.organisation()
    coachee = await identity.member(admin, "coachee")
    assert (await identity.client.get("/v1/me", headers=coachee.headers)).status_code == 200
    done = await identity.client.post(
        f"/v1/organisations/{admin.tenant_id}/users/{coachee.user_id}/deactivate",
        headers=admin.headers, json={"reason": "left"})
    assert done.status_code == 200

    async def refused() -> bool:
        return (await identity.client.get("/v1/me", headers=coachee.headers)).status_code == 401

    await eventually(refused, timeout=1.0)
    assert (await sign_in(identity, coachee.email)).status_code == 401
    refresh = await identity.client.post("/v1/tokens/refresh",
                                         json={"refresh_token": coachee.refresh_token})
    assert refresh.status_code == 401

    back = await identity.client.post(
        f"/v1/organisations/{admin.tenant_id}/users/{coachee.user_id}/reactivate",
        headers=admin.headers)
    assert back.status_code == 200
    assert (await sign_in(identity, coachee.email)).status_code == 200
