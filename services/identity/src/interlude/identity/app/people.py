"""Commands about people: invite, accept, provision, roles, deactivation, profile."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from interlude.identity.adapters.digests import new_secret, sha256
from interlude.identity.adapters.passwords import password_problem
from interlude.identity.app.deps import Identity
from interlude.identity.app.tokens import TokenPair, open_session
from interlude.identity.domain import claims, user
from interlude.identity.domain.claims import GLOBAL_TENANT
from interlude.identity.domain.errors import (
    AlreadyExists,
    DomainError,
    Invalid,
    InvitationInvalid,
    NotFound,
)
from interlude.identity.domain.events import PasswordSet, ProfileChanged
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.eventstore.base import AppendResult
from interlude.shared.ids import new_id
from interlude.shared.sealing import Secret

ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Invitation:
    user_id: str
    token: str
    expires_at: datetime
    position: int


def position(result: AppendResult | None) -> int:
    return result.position if result is not None else 0


def _sealed(value: str | None, user_id: str) -> Secret | None:
    """A value of the person's that goes sealed under their key (an external id a directory
    sends may be their address, or an alias made from their name)."""
    return None if value is None else Secret(value, user_id)


def _in_global(ctx: CommandContext) -> CommandContext:
    return CommandContext(GLOBAL_TENANT, ctx.actor, ctx.now, ctx.correlation_id,
                          source_address=ctx.source_address)


async def claim_email(deps: Identity, ctx: CommandContext, email: str, user_id: str) -> str:
    """Claim ``email`` for ``user_id`` in its organisation (409 if someone there has it; what
    other organisations hold is neither consulted nor revealed), then list the account in the
    index sign-in reads. Returns the address's digest."""
    digest = deps.digest(email)
    # a claim made before ADR 0005 lives in the index only; such entries are never added again,
    # only removed, so the freshest read is enough
    legacy = (await deps.email_index.current(GLOBAL_TENANT, digest)).state.holder_in(
        ctx.tenant_id, legacy_only=True)
    await deps.emails.execute(ctx.tenant_id, digest,
                              lambda s: claims.claim(s, ctx.tenant_id, user_id, legacy), ctx)
    await deps.email_index.execute(
        GLOBAL_TENANT, digest, lambda s: claims.list_account(s, ctx.tenant_id, user_id),
        _in_global(ctx))
    return digest


async def release_email(deps: Identity, ctx: CommandContext, digest: str, user_id: str) -> None:
    """The claim first: were the index left behind by a crash, sign-in still ignores an entry
    whose person no longer has the address."""
    await deps.emails.execute(ctx.tenant_id, digest, lambda s: claims.release(s, user_id), ctx)
    await deps.email_index.execute(
        GLOBAL_TENANT, digest, lambda s: claims.unlist_account(s, ctx.tenant_id, user_id),
        _in_global(ctx))


async def holder(deps: Identity, tenant_id: str, digest: str, *,
                 use_cache: bool = True) -> str | None:
    """The person of the organisation who has the address (by its claim, or by a claim made
    before ADR 0005), or None."""
    claim = (await deps.emails.load(tenant_id, digest, use_cache=use_cache)).state
    if claim.user_id is not None:
        return claim.user_id
    index = (await deps.email_index.load(GLOBAL_TENANT, digest, use_cache=use_cache)).state
    return index.holder_in(tenant_id, legacy_only=True)


async def invite(deps: Identity, ctx: CommandContext, email: str, display_name: str,
                 roles: tuple[str, ...], idempotency_key: str | None = None) -> Invitation:
    user.check_roles(roles)
    # a retried request (same Idempotency-Key) names the same person and the same link, so the
    # claim and the invitation find their own earlier work and the answer is the same
    if idempotency_key:
        seed = hmac.new(deps.master_secret, f"invitation:{ctx.tenant_id}:{idempotency_key}"
                        .encode(), hashlib.sha256).hexdigest()
        user_id, invitation_id, secret = seed[:32], seed[32:48], seed[48:]
    else:
        user_id, invitation_id, secret = new_id(), new_id(), new_secret()
    expires_at = ctx.now + timedelta(hours=deps.settings.invitation_ttl_hours)
    try:
        digest = await claim_email(deps, ctx, email, user_id)
    except AlreadyExists:
        await _waiting_invitee(deps, ctx.tenant_id, email)
        raise
    result = await deps.users.execute(ctx.tenant_id, user_id, lambda s: user.invite(
        s, user_id=user_id, email=Secret(email, user_id), email_digest=digest,
        display_name=Secret(display_name, user_id), roles=roles, invitation_id=invitation_id,
        token_hash=sha256(secret), expires_at=expires_at), ctx, idempotency_key)
    token = f"{ctx.tenant_id}.{user_id}.{secret}"
    return Invitation(user_id, token, expires_at, position(result))


async def _waiting_invitee(deps: Identity, tenant_id: str, email: str) -> None:
    """When the address is someone's who was invited and has not joined, say so and how to send
    them a new link (an invitation that expired is the usual reason to invite again)."""
    holder_id = await holder(deps, tenant_id, deps.digest(email))
    if holder_id is None:
        return
    if (await deps.users.load(tenant_id, holder_id)).state.status == "invited":
        raise AlreadyExists(
            "someone in your organisation was invited with this e-mail address and has not "
            "joined yet; to send them a new link (the earlier one stops working), POST "
            f"/v1/organisations/{tenant_id}/users/{holder_id}/invitation", user_id=holder_id)


async def reinvite(deps: Identity, ctx: CommandContext, user_id: str,
                   idempotency_key: str | None = None) -> Invitation:
    """A new link for someone invited who has not joined yet; the earlier one stops working.
    A retried request (same Idempotency-Key) answers the same link."""
    if idempotency_key:
        seed = hmac.new(deps.master_secret, f"reinvitation:{ctx.tenant_id}:{user_id}:"
                        f"{idempotency_key}".encode(), hashlib.sha256).hexdigest()
        invitation_id, secret = seed[:16], seed[16:]
    else:
        invitation_id, secret = new_id(), new_secret()
    expires_at = ctx.now + timedelta(hours=deps.settings.invitation_ttl_hours)
    result = await deps.users.execute(ctx.tenant_id, user_id, lambda s: user.reissue(
        s, user_id=user_id, invitation_id=invitation_id, token_hash=sha256(secret),
        expires_at=expires_at), ctx, idempotency_key)
    return Invitation(user_id, f"{ctx.tenant_id}.{user_id}.{secret}", expires_at,
                      position(result))


def parse_link(token: str, refusal: DomainError) -> tuple[str, str, str]:
    """The organisation, the person and the secret of a link's token (``tenant.user.secret``,
    as invitations and password links carry them); ``refusal`` when it is not one."""
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 200 or not all(ID.match(p) for p in parts):
        raise refusal
    tenant_id, user_id, secret = parts
    return tenant_id, user_id, secret


def parse_invitation(token: str) -> tuple[str, str, str]:
    return parse_link(token, InvitationInvalid("this invitation link is not valid; ask for a "
                                               "new one"))


async def invitation_status(deps: Identity, token: str) -> str:
    """What the person opening the link sees before choosing a password."""
    tenant_id, user_id, secret = parse_invitation(token)
    loaded = await deps.users.load(tenant_id, user_id)
    user.check_invitation(loaded.state, sha256(secret), deps.clock())
    return tenant_id


async def accept(deps: Identity, token: str, password: str) -> TokenPair:
    """Set the password and activate; the person is signed in at once."""
    tenant_id, user_id, secret = parse_invitation(token)
    now = deps.clock()
    loaded = await deps.users.load(tenant_id, user_id)
    user.check_invitation(loaded.state, sha256(secret), now)  # before the costly hash
    if (problem := password_problem(password)) is not None:
        raise Invalid(f"password: {problem}")
    password_hash = await deps.passwords.hash(password)
    ctx = deps.context(tenant_id, Actor(user_id, loaded.state.roles))
    await deps.users.execute(tenant_id, user_id, lambda s: user.accept(
        s, user_id=user_id, token_hash=sha256(secret),
        password_hash=Secret(password_hash, user_id), now=now), ctx)
    state = (await deps.users.load(tenant_id, user_id)).state
    return await open_session(deps, tenant_id, user_id, state, ("pwd",), now)


async def provision(deps: Identity, ctx: CommandContext, *, email: str, display_name: str,
                    roles: tuple[str, ...], source: str, external_id: str | None = None,
                    password: str | None = None) -> tuple[str, int]:
    """Create an active user (first org_admin, SCIM, single sign-on); (user id, position)."""
    user.check_roles(roles)
    password_hash = None
    if password is not None:
        if (problem := password_problem(password)) is not None:
            raise Invalid(f"password: {problem}")
        password_hash = await deps.passwords.hash(password)
    user_id = new_id()
    digest = await claim_email(deps, ctx, email, user_id)

    def decide(state: user.User) -> list:
        events = user.provision(state, user_id=user_id, email=Secret(email, user_id),
                                email_digest=digest, display_name=Secret(display_name, user_id),
                                roles=roles, source=source,
                                external_id=_sealed(external_id, user_id))
        if password_hash is not None:
            events.append(PasswordSet(user_id=user_id,
                                      password_hash=Secret(password_hash, user_id)))
        return events

    result = await deps.users.execute(ctx.tenant_id, user_id, decide, ctx)
    return user_id, position(result)


async def existing(deps: Identity, tenant_id: str, user_id: str) -> user.User:
    state = (await deps.users.load(tenant_id, user_id)).state
    if not state.exists:
        raise NotFound("there is no such user in your organisation")
    return state


async def grant(deps: Identity, ctx: CommandContext, user_id: str, role: str) -> int:
    return position(await deps.users.execute(ctx.tenant_id, user_id,
                                             lambda s: user.grant(s, user_id, role), ctx))


async def revoke(deps: Identity, ctx: CommandContext, user_id: str, role: str) -> int:
    return position(await deps.users.execute(ctx.tenant_id, user_id,
                                             lambda s: user.revoke(s, user_id, role), ctx))


async def deactivate(deps: Identity, ctx: CommandContext, user_id: str, reason: str) -> int:
    if user_id == ctx.actor.id:
        raise Invalid("you cannot deactivate yourself; ask another org_admin")
    result = await deps.users.execute(ctx.tenant_id, user_id,
                                      lambda s: user.deactivate(s, user_id, reason), ctx)
    await deps.refresh.revoke_user(ctx.tenant_id, user_id, ctx.now)
    return position(result)


async def reactivate(deps: Identity, ctx: CommandContext, user_id: str) -> int:
    return position(await deps.users.execute(ctx.tenant_id, user_id,
                                             lambda s: user.reactivate(s, user_id), ctx))


async def change_profile(deps: Identity, ctx: CommandContext, user_id: str, *,
                         email: str | None, display_name: str | None,
                         external_id: str | None) -> int:
    state = await existing(deps, ctx.tenant_id, user_id)
    digest = None
    if email is not None and deps.digest(email) != state.email_digest:
        digest = await claim_email(deps, ctx, email, user_id)
        if state.email_digest:
            await release_email(deps, ctx, state.email_digest, user_id)
    if digest is None and display_name is None and external_id in (None, state.external_id):
        return 0
    event = ProfileChanged(user_id=user_id,
                           email=Secret(email, user_id) if email and digest else None,
                           email_digest=digest,
                           display_name=Secret(display_name, user_id) if display_name else None,
                           external_id=_sealed(external_id, user_id))
    return position(await deps.users.execute(ctx.tenant_id, user_id, lambda s: [event], ctx))
