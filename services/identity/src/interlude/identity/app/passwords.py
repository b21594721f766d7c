"""Passwords: a person changes theirs with the current one; a forgotten one is chosen anew
through a single-use link (two hours) e-mailed to them alone, asked for from the sign-in page
or by an administrator (who never sees it: a link they could hand on would let them sign in as
anyone of their organisation and read their coaching). Either way every other session is signed
out (their refresh tokens revoked: an access token held elsewhere lapses within its lifetime)
and the person is signed in afresh."""

from __future__ import annotations

from datetime import datetime

from interlude.identity.adapters.digests import new_secret, sha256
from interlude.identity.adapters.passwords import password_problem
from interlude.identity.app.deps import Identity
from interlude.identity.app.people import parse_link, position
from interlude.identity.app.sessions import LoginThrottled
from interlude.identity.app.tokens import TokenPair, open_session
from interlude.identity.domain import passwords
from interlude.identity.domain.claims import GLOBAL_TENANT
from interlude.identity.domain.errors import Invalid, InvalidState, PasswordWrong, ResetInvalid
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.http.context import source_address_var
from interlude.shared.ids import new_id
from interlude.shared.sealing import Secret

MAX_ACCOUNTS = 5  # an address's accounts sent a link at once (one per organisation)


async def request_reset(deps: Identity, email: str) -> None:
    """A link to each active account with a password that has this address, unless links were
    asked for too often (for the address or from the caller's address). Answers nothing either
    way: whether an address has an account is not for the asker to learn."""
    now = deps.clock()
    digest = deps.digest(email)
    keys = [f"reset-account:{digest}", f"reset-source:{source_address_var.get() or 'unknown'}"]
    if await deps.throttle.locked_until(keys, now) is not None:
        return
    await deps.throttle.failed(keys, now)  # counted as asked, whatever comes of it
    index = (await deps.email_index.current(GLOBAL_TENANT, digest)).state
    for entry in index.accounts[:MAX_ACCOUNTS]:
        state = (await deps.users.current(entry.tenant_id, entry.user_id)).state
        if state.email_digest == digest and passwords.may_reset(state):
            ctx = deps.context(entry.tenant_id, Actor(entry.user_id, state.roles))
            await issue_reset(deps, ctx, entry.user_id)


async def issue_reset(deps: Identity, ctx: CommandContext, user_id: str) -> int:
    """A new link for ``user_id`` (an earlier one stops working), e-mailed by notify; its
    position."""
    secret, reset_id = new_secret(), new_id()
    token = f"{ctx.tenant_id}.{user_id}.{secret}"
    result = await deps.users.execute(ctx.tenant_id, user_id, lambda s: passwords.issue_reset(
        s, user_id=user_id, reset_id=reset_id, token_hash=sha256(secret),
        link=Secret(token, user_id), now=ctx.now), ctx)
    return position(result)


def _parse(token: str) -> tuple[str, str, str]:
    return parse_link(token, ResetInvalid(passwords.LINK_GONE))


async def reset_status(deps: Identity, token: str) -> str:
    """What the person opening the link sees before choosing a password: its organisation."""
    tenant_id, user_id, secret = _parse(token)
    state = (await deps.users.load(tenant_id, user_id)).state
    passwords.check_reset(state, sha256(secret), deps.clock())
    return tenant_id


async def reset(deps: Identity, token: str, password: str) -> TokenPair:
    """The new password set through the link (used up with it); signed in at once."""
    tenant_id, user_id, secret = _parse(token)
    now = deps.clock()
    state = (await deps.users.load(tenant_id, user_id)).state
    passwords.check_reset(state, sha256(secret), now)  # before the costly hash
    hashed = await _hashed(deps, password, user_id)
    ctx = deps.context(tenant_id, Actor(user_id, state.roles))
    await deps.users.execute(tenant_id, user_id, lambda s: passwords.reset(
        s, user_id=user_id, token_hash=sha256(secret), password_hash=hashed, now=now), ctx)
    await deps.throttle.succeeded(f"account:{state.email_digest}")  # a sign-in lock lifts
    return await _fresh_session(deps, tenant_id, user_id, ("pwd",), now)


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
