"""The pure domain: decisions and evolution of people, organisations and groups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from interlude.identity.domain import claims, group, organisation, user
from interlude.identity.domain.errors import (
    AlreadyExists,
    Invalid,
    InvalidState,
    InvitationExpired,
    InvitationInvalid,
    InvitationUsed,
)
from interlude.shared.policy import PolicyInvalid
from interlude.shared.sealing import Secret

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def replay(spec, events, state=None):
    return spec.replay(state or spec.initial(), events)


def invited(roles=("coachee",)) -> user.User:
    events = user.invite(user.User(), user_id="u1", email=Secret("a@x.org", "u1"),
                         email_digest="d1", display_name=Secret("A", "u1"), roles=roles,
                         invitation_id="i1", token_hash="h1", expires_at=NOW + timedelta(days=3))
    return replay(user.USER, events)


def test_an_invitation_is_accepted_once_before_it_expires() -> None:
    state = invited()
    events = user.accept(state, user_id="u1", token_hash="h1",
                         password_hash=Secret("argon", "u1"), now=NOW)
    active = replay(user.USER, events, state)
    assert active.status == "active" and active.password_hash == "argon"
    with pytest.raises(InvitationUsed):
        user.accept(active, user_id="u1", token_hash="h1", password_hash=Secret("x", "u1"),
                    now=NOW)
    with pytest.raises(InvitationExpired):
        user.accept(state, user_id="u1", token_hash="h1", password_hash=Secret("x", "u1"),
                    now=NOW + timedelta(days=3))
    with pytest.raises(InvitationInvalid):
        user.accept(state, user_id="u1", token_hash="other", password_hash=Secret("x", "u1"),
                    now=NOW)


def test_an_invitation_to_a_deactivated_account_says_so() -> None:
    state = replay(user.USER, user.deactivate(invited(), "u1", "invited by mistake"), invited())
    with pytest.raises(InvitationInvalid, match="deactivated"):
        user.accept(state, user_id="u1", token_hash="h1", password_hash=Secret("x", "u1"),
                    now=NOW)


def test_someone_reactivated_before_joining_can_still_join_and_be_invited_again() -> None:
    state = invited()
    state = replay(user.USER, user.deactivate(state, "u1", "by mistake"), state)
    state = replay(user.USER, user.reactivate(state, "u1"), state)
    assert state.status == "active" and state.password_hash is None
    reissued = user.reissue(state, user_id="u1", invitation_id="i2", token_hash="h2",
                            expires_at=NOW + timedelta(days=3))
    assert [type(e).__name__ for e in reissued] == ["InvitationReissued"]
    joined = replay(user.USER, user.accept(state, user_id="u1", token_hash="h1",
                                           password_hash=Secret("argon", "u1"), now=NOW), state)
    assert joined.password_hash == "argon"
    with pytest.raises(InvalidState):  # joined: nothing to invite to
        user.reissue(joined, user_id="u1", invitation_id="i3", token_hash="h3",
                     expires_at=NOW + timedelta(days=3))


def test_roles_are_checked_and_the_last_one_cannot_be_revoked() -> None:
    with pytest.raises(Invalid, match="unknown role 'emperor'"):
        invited(roles=("emperor",))
    state = invited()
    assert user.grant(state, "u1", "coachee") == []  # already held: nothing happens
    with pytest.raises(InvalidState):
        user.revoke(state, "u1", "coachee")
    both = replay(user.USER, user.grant(state, "u1", "coach"), state)
    assert both.roles == ("coach", "coachee")
    assert replay(user.USER, user.revoke(both, "u1", "coach"), both).roles == ("coachee",)


def test_a_forgotten_person_keeps_nothing() -> None:
    state = replay(user.USER, user.accept(invited(), user_id="u1", token_hash="h1",
                                          password_hash=Secret("argon", "u1"), now=NOW),
                   invited())
    events = user.request_erasure(state, "u1", "asked") + user.forget(state, "u1")
    gone = replay(user.USER, events, state)
    assert gone.status == "forgotten" and gone.password_hash is None and gone.roles == ()
    assert user.forget(gone, "u1") == []


def test_an_erased_password_hash_cannot_be_used() -> None:
    state = replay(user.USER, user.accept(invited(), user_id="u1", token_hash="h1",
                                          password_hash=Secret.erased("u1"), now=NOW), invited())
    assert state.password_hash is None


def test_a_new_organisation_starts_with_the_default_policy_version_1() -> None:
    events = organisation.register(organisation.Organisation(), name="Acme",
                                   allowed_domains=("acme.example",))
    state = replay(organisation.ORGANISATION, events)
    assert state.policy_version == 1
    assert state.security_policy.notify_email_content == "none"
    with pytest.raises(AlreadyExists):
        organisation.register(state, name="Acme", allowed_domains=())


def test_a_policy_change_bumps_the_version_and_names_what_changed() -> None:
    state = replay(organisation.ORGANISATION, organisation.register(
        organisation.Organisation(), name="Acme", allowed_domains=()))
    [event] = organisation.change_policy(state, {"messaging.enabled": False,
                                                 "checkins.enabled": True}, "pilot")
    assert event.version == 2 and event.changed_keys == ("messaging.enabled",)
    assert organisation.change_policy(state, {"checkins.enabled": True}, "no-op") == []
    with pytest.raises(PolicyInvalid) as bad:
        organisation.change_policy(state, {"messaging.enabld": False}, "typo")
    assert bad.value.key == "messaging.enabld"


def test_an_address_is_claimed_by_one_person_only() -> None:
    claimed = replay(claims.EMAIL, claims.claim(claims.EmailClaim(), "t1", "u1"))
    assert claims.claim(claimed, "t1", "u1") == []
    with pytest.raises(AlreadyExists):
        claims.claim(claimed, "t2", "u2")
    released = replay(claims.EMAIL, claims.release(claimed, "u1"), claimed)
    assert claims.claim(released, "t2", "u2")


@pytest.mark.parametrize(("name", "role"), [("coach", "coach"), ("Interlude-Coachee", "coachee"),
                                            ("compliance officer", "compliance_officer"),
                                            ("Marketing", None)])
def test_groups_named_after_a_role_grant_it(name: str, role: str | None) -> None:
    assert group.granted_role(name) == role


def test_an_external_id_written_in_clear_before_v2_reads_as_the_persons_secret() -> None:
    from interlude.identity.domain.events import registry

    provisioned = registry.build("identity.UserProvisioned", 1, {
        "user_id": "u1", "email": Secret("ada@example.org", "u1"), "email_digest": "d",
        "display_name": Secret("Ada", "u1"), "roles": ["coachee"], "source": "scim",
        "external_id": "ada@example.org"})
    changed = registry.build("identity.ProfileChanged", 1, {
        "user_id": "u1", "external_id": "ada.lovelace"})
    assert isinstance(provisioned.external_id, Secret)
    assert (provisioned.external_id.reveal(), provisioned.external_id.subject) == (
        "ada@example.org", "u1")
    assert changed.external_id == Secret("ada.lovelace", "u1")
    assert registry.build("identity.ProfileChanged", 1, {"user_id": "u1"}).external_id is None
