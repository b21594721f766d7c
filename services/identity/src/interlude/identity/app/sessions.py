"""Signing in: the password (throttled) against the accounts an address has, one per
organisation (ADR 0005); the second factor, refresh and sign-out."""

from __future__ import annotations

import asyncio
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
        super().__init__(detail, retry_after=retry_after)  # the answer's Retry-After too
        self.retry_after = retry_after


class MfaRequired(DomainError):
    status, slug = 401, "mfa-required"


class MfaEnrolmentRequired(DomainError):
    status, slug = 403, "mfa-enrolment-required"

    def __init__(self, detail: str, ticket: str) -> None:
        super().__init__(detail, mfa_ticket=ticket)
        self.ticket = ticket


class SessionRefused(DomainError):
    status, slug = 401, "session-refused"


class OrganisationRequired(DomainError):
    """The address has accounts in several organisations and the password did not single one
    out: the person names theirs (``organisation``). ``organisations`` lists the ones whose
    password matched, and is empty when the password was not even tried (too many accounts)."""

    status, slug = 409, "organisation-required"

    def __init__(self, detail: str, organisations: list[dict[str, str]]) -> None:
        super().__init__(detail, organisations=organisations)
        self.organisations = organisations


# an address has at most one account per organisation; a sign-in that names none checks the
# password against at most this many of them (each check is an argon2 hash)
MAX_ACCOUNTS = 5
MAX_LISTED = 50  # accounts looked at, with a password or not (invited, single sign-on only)


@dataclass(frozen=True)
class Attempt:
    email: str
    password: str
    otp: str | None = None
    organisation: str | None = None


@dataclass(frozen=True)
class Account:
    tenant_id: str
    user_id: str
    state: user.User


async def login(deps: Identity, attempt: Attempt) -> TokenPair:
    now = deps.clock()
    digest = deps.digest(attempt.email)
    keys = [f"account:{digest}", f"source:{source_address_var.get() or 'unknown'}"]
    if (until := await deps.throttle.locked_until(keys, now)) is not None:
        wait = max(1, int((until - now).total_seconds()) + 1)
        raise LoginThrottled(f"too many failed sign-ins; try again in {wait} seconds", wait)
    candidates = await _accounts(deps, digest, attempt.organisation)
    matched = await _opened(deps, candidates, attempt.password)
    if not matched:
        await deps.throttle.failed(keys, now)
        for account in candidates or [Account(GLOBAL_TENANT, "unknown", user.User())]:
            await deps.record_login(account.tenant_id, account.user_id, "denied",
                                    "bad-credentials")
        raise LoginFailed("the e-mail address or the password is wrong")
    chosen = await _chosen(deps, matched)
    tenant_id, user_id, state = chosen.tenant_id, chosen.user_id, chosen.state
    if state.status != "active":
        await deps.record_login(tenant_id, user_id, "denied", "deactivated")
        raise LoginFailed("this account is not active; ask your organisation's administrator")
    amr = await _second_factor(deps, tenant_id, user_id, state, attempt.otp, now, keys)
    await deps.throttle.succeeded(keys[0])
    await deps.record_login(tenant_id, user_id, "allowed", None)
    return await open_session(deps, tenant_id, user_id, state, amr, now)


async def _accounts(deps: Identity, digest: str, organisation: str | None) -> list[Account]:
    """The accounts with this address and a password, in the named organisation if any. Read
    as they stand now: another replica may have invited, activated or deactivated them."""
    index = (await deps.email_index.current(GLOBAL_TENANT, digest)).state
    entries = [e for e in index.accounts if organisation in (None, e.tenant_id)]
    found = []
    for entry in entries[:MAX_LISTED]:
        state = (await deps.users.current(entry.tenant_id, entry.user_id)).state
        # the index may lag behind a change of address (see people.release_email)
        if state.password_hash is not None and state.email_digest == digest:
            found.append(Account(entry.tenant_id, entry.user_id, state))
    if len(found) > MAX_ACCOUNTS or len(entries) > MAX_LISTED:
        raise OrganisationRequired(
            "this e-mail address has accounts in many organisations; say which one you are"
            " signing in to (field organisation: its id)", [])
    return found


async def _opened(deps: Identity, accounts: list[Account], password: str) -> list[Account]:
    """The accounts the password opens, checked side by side (each check runs in a thread);
    with none to check, a decoy costs what one account would."""
    if not accounts:
        await deps.passwords.verify(None, password)
        return []
    verified = await asyncio.gather(*(deps.passwords.verify(a.state.password_hash, password)
                                      for a in accounts))
    return [a for a, ok in zip(accounts, verified, strict=True) if ok]


async def _chosen(deps: Identity, matched: list[Account]) -> Account:
    """The account the password opened. Only someone who knows the password of several
    accounts gets to hear about them, and only about those."""
    if len(matched) == 1:
        return matched[0]
    active = [a for a in matched if a.state.status == "active"]
    if len(active) == 1:
        return active[0]
    names = [{"id": a.tenant_id, "name": (await deps.orgs.load(a.tenant_id, a.tenant_id))
              .state.name} for a in active or matched]
    raise OrganisationRequired(
        "this e-mail address and password open accounts in several organisations; say which"
        " one you are signing in to (field organisation: one of the ids listed)", names)


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


async def confirm_mfa(deps: Identity, tenant_id: str, user_id: str, code: str,
                      ticket: str | None = None) -> None:
    """Two-step sign-in is on once a code of the pending secret matches; the enrolment
    ticket, if one was used, is spent."""
    now = deps.clock()
    state = (await deps.users.load(tenant_id, user_id)).state
    pending = state.totp_pending
    step = totp.matching_step(pending, code, now) if pending else None
    if step is None or not await deps.totp.use(user_id, step):
        raise LoginFailed("that code is wrong; check the clock of your device and try again")
    ctx = deps.context(tenant_id, Actor(user_id, state.roles))
    await deps.users.execute(tenant_id, user_id, lambda s: user.enable_mfa(s, user_id), ctx)
    if ticket:
        await deps.tickets.take(MFA_TICKET, ticket, deps.clock())
