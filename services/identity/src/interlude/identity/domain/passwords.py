"""Passwords on the user aggregate: changed by their person (the current one checked by the
caller), or chosen anew through a single-use link e-mailed to them alone (a forgotten one)."""

from __future__ import annotations

from datetime import datetime, timedelta

from interlude.identity.domain import events as ev
from interlude.identity.domain.errors import InvalidState, ResetExpired, ResetInvalid
from interlude.identity.domain.user import User, must_exist
from interlude.shared.events.registry import Event
from interlude.shared.sealing import Secret

LINK_TTL = timedelta(hours=2)
LINK_GONE = ("this password link is not valid (used already, or replaced by a newer one); ask "
             "for a new one from the sign-in page")


def may_reset(state: User) -> bool:
    """Only an active account with a password (not one that signs in through single sign-on
    alone, which would gain a way around it) is sent a link."""
    return state.status == "active" and state.password_hash is not None


def issue_reset(state: User, *, user_id: str, reset_id: str, token_hash: str, link: Secret,
                now: datetime) -> list[Event]:
    must_exist(state)
    if not may_reset(state):
        raise InvalidState("this account is not active, or signs in through single sign-on: "
                           "there is no password to reset")
    return [ev.PasswordResetIssued(user_id=user_id, reset_id=reset_id, token_hash=token_hash,
                                   link=link, expires_at=now + LINK_TTL)]


def check_reset(state: User, token_hash: str, now: datetime) -> None:
    """Refuse a link that was used, replaced or never issued, or that has expired."""
    if state.reset_hash is None or state.reset_hash != token_hash or not may_reset(state):
        raise ResetInvalid(LINK_GONE)
    assert state.reset_expires is not None
    if now >= state.reset_expires:
        raise ResetExpired("this password link has expired; ask for a new one from the "
                           "sign-in page")


def reset(state: User, *, user_id: str, token_hash: str, password_hash: Secret,
          now: datetime) -> list[Event]:
    check_reset(state, token_hash, now)
    return [ev.PasswordSet(user_id=user_id, password_hash=password_hash)]


def change(state: User, *, user_id: str, password_hash: Secret) -> list[Event]:
    must_exist(state)
    if state.status != "active":
        raise InvalidState("this account is not active")
    return [ev.PasswordSet(user_id=user_id, password_hash=password_hash)]
