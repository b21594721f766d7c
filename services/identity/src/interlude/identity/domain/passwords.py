"""A person's own password change on the user aggregate (their current password checked by the
caller)."""

from __future__ import annotations

from interlude.identity.domain import events as ev
from interlude.identity.domain.errors import InvalidState
from interlude.identity.domain.user import User, must_exist
from interlude.shared.events.registry import Event
from interlude.shared.sealing import Secret


def change(state: User, *, user_id: str, password_hash: Secret) -> list[Event]:
    must_exist(state)
    if state.status != "active":
        raise InvalidState("this account is not active")
    return [ev.PasswordSet(user_id=user_id, password_hash=password_hash)]
