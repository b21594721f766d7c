"""A person in an organisation: invited, active, deactivated or forgotten; their roles, their
password hash and their second factor. Pure: time, ids and hashes come in as arguments."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from interlude.identity.domain import events as ev
from interlude.identity.domain.errors import (
    AlreadyExists,
    Invalid,
    InvalidState,
    InvitationExpired,
    InvitationInvalid,
    InvitationUsed,
    NotFound,
)
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.policy import ROLES
from interlude.shared.sealing import Secret

Status = Literal["none", "invited", "active", "deactivated", "forgotten"]


@dataclass(frozen=True)
class User:
    status: Status = "none"
    roles: tuple[str, ...] = ()
    invitation_id: str | None = None
    invitation_hash: str | None = None
    invitation_expires: datetime | None = None
    password_hash: str | None = None
    totp_secret: str | None = None
    totp_pending: str | None = None
    external_id: str | None = None
    source: str = ""
    email_digest: str | None = None
    reset_hash: str | None = None  # a password reset link's, until used or replaced
    reset_expires: datetime | None = None

    @property
    def exists(self) -> bool:
        return self.status not in ("none", "forgotten")

    @property
    def mfa_enabled(self) -> bool:
        return self.totp_secret is not None


def _revealed(secret: Secret) -> str | None:
    return None if secret.is_erased else secret.reveal()


def _opened(secret: Secret | None) -> str | None:
    return None if secret is None else _revealed(secret)


def evolve(state: User, event: Event) -> User:
    match event:
        case ev.UserInvited():
            return replace(state, status="invited", roles=event.roles,
                           email_digest=event.email_digest,
                           invitation_id=event.invitation_id, invitation_hash=event.token_hash,
                           invitation_expires=event.expires_at)
        case ev.InvitationReissued():
            return replace(state, invitation_id=event.invitation_id,
                           invitation_hash=event.token_hash, invitation_expires=event.expires_at)
        case ev.UserActivated():
            return replace(state, status="active", invitation_hash=None,
                           password_hash=_revealed(event.password_hash))
        case ev.UserProvisioned():
            return replace(state, status="active", roles=event.roles, source=event.source,
                           external_id=_opened(event.external_id),
                           email_digest=event.email_digest)
        case ev.ProfileChanged():
            external = _opened(event.external_id)
            external = external if external is not None else state.external_id
            return replace(state, external_id=external,
                           email_digest=event.email_digest or state.email_digest)
        case ev.PasswordResetIssued():
            return replace(state, reset_hash=event.token_hash, reset_expires=event.expires_at)
        case ev.PasswordSet():  # a reset link is used up with it
            return replace(state, password_hash=_revealed(event.password_hash),
                           reset_hash=None, reset_expires=None)
        case ev.RoleGranted():
            return replace(state, roles=tuple(sorted({*state.roles, event.role})))
        case ev.RoleRevoked():
            return replace(state, roles=tuple(r for r in state.roles if r != event.role))
        case ev.UserDeactivated():
            return replace(state, status="deactivated")
        case ev.UserReactivated():
            return replace(state, status="active")
        case ev.MfaEnrolmentStarted():
            return replace(state, totp_pending=_revealed(event.totp_secret))
        case ev.MfaEnabled():
            return replace(state, totp_secret=state.totp_pending, totp_pending=None)
        case ev.SubjectForgotten():
            return User(status="forgotten")
    return state


USER = AggregateSpec(name="user", initial=User, evolve=evolve, state_type=User)


def check_roles(roles: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise Invalid(f"unknown role {unknown[0]!r}; the roles are {', '.join(ROLES)}")
    if not roles:
        raise Invalid("give at least one role")
    return tuple(sorted(set(roles)))


def must_exist(state: User) -> None:
    if not state.exists:
        raise NotFound("there is no such user in your organisation")


def invite(state: User, *, user_id: str, email: Secret, email_digest: str,
           display_name: Secret, roles: tuple[str, ...], invitation_id: str, token_hash: str,
           expires_at: datetime) -> list[Event]:
    if state.status == "invited" and state.invitation_hash == token_hash:
        return []  # the same invitation again (a retried request)
    if state.status != "none":
        raise AlreadyExists("this user already exists")
    return [ev.UserInvited(user_id=user_id, email=email, email_digest=email_digest,
                           display_name=display_name,
                           roles=check_roles(roles), invitation_id=invitation_id,
                           token_hash=token_hash, expires_at=expires_at)]


def awaits_joining(state: User) -> bool:
    """Invited and not joined yet: invited, or invited, deactivated and reactivated before
    accepting (active, with no password and the invitation still theirs to accept)."""
    return (state.status in ("invited", "active") and state.invitation_hash is not None
            and state.password_hash is None)


def reissue(state: User, *, user_id: str, invitation_id: str, token_hash: str,
            expires_at: datetime) -> list[Event]:
    """A new invitation link for someone invited who has not joined (the old one expired, or
    was lost); the old link stops working."""
    must_exist(state)
    if awaits_joining(state) and state.invitation_hash == token_hash:
        return []  # the same link again (a retried request)
    if state.status == "deactivated":
        raise InvalidState("this account is deactivated; reactivate it before inviting again")
    if not awaits_joining(state):
        raise InvalidState("this person has joined already: they sign in, and can reset "
                           "their password if they lost it")
    return [ev.InvitationReissued(user_id=user_id, invitation_id=invitation_id,
                                  token_hash=token_hash, expires_at=expires_at)]


def check_invitation(state: User, token_hash: str, now: datetime) -> None:
    """Refuse a link that was used, has expired or was never issued (in that order of help)."""
    if state.status in ("none", "forgotten"):
        raise InvitationInvalid("this invitation link is not valid; ask for a new one")
    if state.status == "deactivated":
        raise InvitationInvalid("this account was deactivated by your organisation's "
                                "administrator; ask them if you should have access")
    if not awaits_joining(state):
        raise InvitationUsed("this invitation was already accepted; sign in instead")
    if state.invitation_hash != token_hash:
        raise InvitationInvalid("this invitation link is not valid; ask for a new one")
    assert state.invitation_expires is not None
    if now >= state.invitation_expires:
        raise InvitationExpired("this invitation has expired; ask your administrator for a new one")


def accept(state: User, *, user_id: str, token_hash: str, password_hash: Secret,
           now: datetime) -> list[Event]:
    check_invitation(state, token_hash, now)
    assert state.invitation_id is not None
    return [ev.UserActivated(user_id=user_id, invitation_id=state.invitation_id,
                             password_hash=password_hash)]


def provision(state: User, *, user_id: str, email: Secret, email_digest: str,
              display_name: Secret, roles: tuple[str, ...], source: str,
              external_id: Secret | None = None) -> list[Event]:
    if state.status != "none":
        raise AlreadyExists("this user already exists")
    return [ev.UserProvisioned(user_id=user_id, email=email, email_digest=email_digest,
                               display_name=display_name,
                               roles=check_roles(roles), source=source, external_id=external_id)]


def grant(state: User, user_id: str, role: str) -> list[Event]:
    must_exist(state)
    check_roles([role])
    return [] if role in state.roles else [ev.RoleGranted(user_id=user_id, role=role)]


def revoke(state: User, user_id: str, role: str) -> list[Event]:
    must_exist(state)
    check_roles([role])
    if role not in state.roles:
        return []
    if state.roles == (role,):
        raise InvalidState(f"{role} is this user's only role; grant another first, or deactivate"
                           " the user")
    return [ev.RoleRevoked(user_id=user_id, role=role)]


def deactivate(state: User, user_id: str, reason: str) -> list[Event]:
    must_exist(state)
    if state.status == "deactivated":
        return []
    return [ev.UserDeactivated(user_id=user_id, reason=reason)]


def reactivate(state: User, user_id: str) -> list[Event]:
    must_exist(state)
    if state.status != "deactivated":
        return []
    return [ev.UserReactivated(user_id=user_id)]


def start_mfa(state: User, user_id: str, totp_secret: Secret) -> list[Event]:
    must_exist(state)
    if state.mfa_enabled:
        raise InvalidState("two-step sign-in is already on for this account")
    return [ev.MfaEnrolmentStarted(user_id=user_id, totp_secret=totp_secret)]


def enable_mfa(state: User, user_id: str) -> list[Event]:
    must_exist(state)
    if state.totp_pending is None:
        raise InvalidState("start two-step sign-in enrolment first")
    return [ev.MfaEnabled(user_id=user_id)]


def request_erasure(state: User, subject_id: str, reason: str) -> list[Event]:
    if state.status == "none":
        raise NotFound("there is no such user in your organisation")
    if state.status == "forgotten":
        return []
    return [ev.SubjectErasureRequested(subject_id=subject_id, reason=reason)]


def forget(state: User, subject_id: str) -> list[Event]:
    if state.status == "forgotten":
        return []
    return [ev.SubjectForgotten(subject_id=subject_id)]
