"""Signing in: password (throttled), the second factor, refresh and sign-out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from interlude.identity.adapters import totp
from interlude.identity.adapters.refresh_tokens import RefreshRefused
from interlude.identity.app import organisations
from interlude.identity.app.deps import Identity
from interlude.identity.app.tokens import TokenPair, open_session
from interlude.identity.domain import user
from interlude.identity.domain.claims import GLOBAL_TENANT
from interlude.identity.domain.errors import DomainError
from interlude.shared.events.envelope import Actor
from interlude.shared.http.context import source_address_var
from interlude.shared.sealing import Secret

MFA_TICKET = "mfa-enrolment"
MFA_TICKET_TTL = timedelta(minutes=10)


class LoginFailed(DomainError):
    status, slug = 401, "login-failed"


class LoginThrottled(DomainError):
    status, slug = 429, "login-throttled"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class MfaRequired(DomainError):
    status, slug = 401, "mfa-required"


class MfaEnrolmentRequired(DomainError):
    status, slug = 403, "mfa-enrolment-required"

    def __init__(self, detail: str, ticket: str) -> None:
        super().__init__(detail)
        self.ticket = ticket


class SessionRefused(DomainError):
    status, slug = 401, "session-refused"


@dataclass(frozen=True)
class Attempt:
    email: str
    password: str
    otp: str | None = None


async def login(deps: Identity, attempt: Attempt) -> TokenPair:
    now = deps.clock()
    digest = deps.digest(attempt.email)
    keys = [f"account:{digest}", f"source:{source_address_var.get() or 'unknown'}"]
    if (until := await deps.throttle.locked_until(keys, now)) is not None:
        wait = max(1, int((until - now).total_seconds()) + 1)
        raise LoginThrottled(f"too many failed sign-ins; try again in {wait} seconds", wait)
    claim = (await deps.emails.load(GLOBAL_TENANT, digest)).state
    state = None
    if claim.user_id is not None and claim.tenant_id is not None:
        state = (await deps.users.load(claim.tenant_id, claim.user_id)).state
    password_hash = state.password_hash if state is not None else None
    if not await deps.passwords.verify(password_hash, attempt.password):
        await deps.throttle.failed(keys, now)
        await deps.record_login(claim.tenant_id or GLOBAL_TENANT, claim.user_id or "unknown",
                     "denied", "bad-credentials")
        raise LoginFailed("the e-mail address or the password is wrong")
    assert state is not None and claim.tenant_id is not None and claim.user_id is not None
    tenant_id, user_id = claim.tenant_id, claim.user_id
    if state.status != "active":
        await deps.record_login(tenant_id, user_id, "denied", "deactivated")
        raise LoginFailed("this account is not active; ask your organisation's administrator")
    amr = await _second_factor(deps, tenant_id, user_id, state, attempt.otp, now, keys)
    await deps.throttle.succeeded(keys[0])
    await deps.record_login(tenant_id, user_id, "allowed", None)
    return await open_session(deps, tenant_id, user_id, state, amr, now)


async def _second_factor(deps: Identity, tenant_id: str, user_id: str, state: user.User,
                         otp: str | None, now: datetime, keys: list[str]) -> tuple[str, ...]:
    """The sign-in methods used; refuses when a second factor is on, or required and missing."""
    if state.totp_secret is None:
        org = await organisations.load(deps, tenant_id)
        required = set(org.security_policy.auth_mfa_required_roles) & set(state.roles)
        if required:
            ticket = await deps.tickets.issue(MFA_TICKET, tenant_id, {"user_id": user_id}, now,
                                              MFA_TICKET_TTL)
            raise MfaEnrolmentRequired(
                f"your organisation requires two-step sign-in for {', '.join(sorted(required))};"
                " set it up with this ticket at /v1/mfa/enrol, then sign in again", ticket)
        return ("pwd",)
    if not otp:
        raise MfaRequired("enter the 6-digit code from your authenticator app (field otp)")
    step = totp.matching_step(state.totp_secret, otp, now)
    if step is None or not await deps.totp.use(user_id, step):
        await deps.throttle.failed(keys, now)
        await deps.record_login(tenant_id, user_id, "denied", "bad-otp")
        raise LoginFailed("that code is wrong or was already used; wait for the next one")
    return ("pwd", "otp")


async def refresh(deps: Identity, refresh_token: str) -> TokenPair:
    now = deps.clock()
    try:
        grant = await deps.refresh.use(refresh_token, now)
    except RefreshRefused as refused:
        raise SessionRefused(refused.reason) from None
    state = (await deps.users.load(grant.tenant_id, grant.user_id)).state
    if state.status != "active":
        raise SessionRefused("this account is no longer active")
    return await open_session(deps, grant.tenant_id, grant.user_id, state, grant.amr, now,
                              grant.family_id)


async def sign_out(deps: Identity, refresh_token: str) -> None:
    await deps.refresh.revoke(refresh_token, deps.clock())


# -- the second factor ---------------------------------------------------------------------------

async def ticket_holder(deps: Identity, ticket: str) -> tuple[str, str]:
    found = await deps.tickets.peek(MFA_TICKET, ticket, deps.clock())
    if found is None:
        raise SessionRefused("this enrolment ticket is not valid or has expired; sign in again")
    return found[0], found[1]["user_id"]


async def start_mfa(deps: Identity, tenant_id: str, user_id: str, account: str) -> str:
    """A new TOTP secret (pending until confirmed); returns the otpauth:// URI for the app."""
    secret = totp.new_totp_secret()
    state = (await deps.users.load(tenant_id, user_id)).state
    ctx = deps.context(tenant_id, Actor(user_id, state.roles))
    await deps.users.execute(tenant_id, user_id, lambda s: user.start_mfa(
        s, user_id, Secret(secret, user_id)), ctx)
    return totp.provisioning_uri(secret, account)


async def confirm_mfa(deps: Identity, tenant_id: str, user_id: str, code: str) -> None:
    now = deps.clock()
    state = (await deps.users.load(tenant_id, user_id)).state
    pending = state.totp_pending
    step = totp.matching_step(pending, code, now) if pending else None
    if step is None or not await deps.totp.use(user_id, step):
        raise LoginFailed("that code is wrong; check the clock of your device and try again")
    ctx = deps.context(tenant_id, Actor(user_id, state.roles))
    await deps.users.execute(tenant_id, user_id, lambda s: user.enable_mfa(s, user_id), ctx)
