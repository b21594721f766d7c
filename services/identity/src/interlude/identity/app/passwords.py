"""Changing one's password: the current one asked again, every other session signed out
(their refresh tokens revoked: an access token still held elsewhere lapses within its
lifetime), and a new session for this one.

There is no reset of a forgotten password yet. A link an administrator could hand on would let
them sign in as anyone of their organisation and read their coaching; a reset must reach the
person alone (e-mailed through notify, the link sealed in the event, kept from in-app, webhooks
and the organisation's content level), which is not built."""

from __future__ import annotations

from datetime import datetime

from interlude.identity.adapters.passwords import password_problem
from interlude.identity.app.deps import Identity
from interlude.identity.app.sessions import LoginThrottled
from interlude.identity.app.tokens import TokenPair, open_session
from interlude.identity.domain import passwords
from interlude.identity.domain.errors import Invalid, InvalidState, PasswordWrong
from interlude.shared.events.envelope import CommandContext
from interlude.shared.http.context import source_address_var
from interlude.shared.sealing import Secret


async def change(deps: Identity, ctx: CommandContext, amr: tuple[str, ...], current: str,
                 new: str) -> TokenPair:
    """The caller's own password, the current one asked again (failures count towards the
    sign-in throttle: it is the same secret being guessed)."""
    tenant_id, user_id, now = ctx.tenant_id, ctx.actor.id, ctx.now
    state = (await deps.users.load(tenant_id, user_id)).state
    keys = [f"account:{state.email_digest}", f"source:{source_address_var.get() or 'unknown'}"]
    if (until := await deps.throttle.locked_until(keys, now)) is not None:
        wait = max(1, int((until - now).total_seconds()) + 1)
        raise LoginThrottled(f"too many wrong passwords; try again in {wait} seconds", wait)
    if state.password_hash is None:
        raise InvalidState("you have no password here: you sign in through your "
                           "organisation's single sign-on")
    if not await deps.passwords.verify(state.password_hash, current):
        await deps.throttle.failed(keys, now)
        raise PasswordWrong("the current password is wrong")
    await deps.throttle.succeeded(keys[0])
    hashed = await _hashed(deps, new, user_id)
    await deps.users.execute(tenant_id, user_id, lambda s: passwords.change(
        s, user_id=user_id, password_hash=hashed), ctx)
    return await _fresh_session(deps, tenant_id, user_id, amr, now)


async def _hashed(deps: Identity, password: str, user_id: str) -> Secret:
    if (problem := password_problem(password)) is not None:
        raise Invalid(f"password: {problem}")
    return Secret(await deps.passwords.hash(password), user_id)


async def _fresh_session(deps: Identity, tenant_id: str, user_id: str, amr: tuple[str, ...],
                         now: datetime) -> TokenPair:
    """Every other session signed out, and a new one opened."""
    await deps.refresh.revoke_user(tenant_id, user_id, now)
    state = (await deps.users.load(tenant_id, user_id)).state
    return await open_session(deps, tenant_id, user_id, state, amr, now)
