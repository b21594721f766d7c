"""Single sign-on through an organisation's own OpenID Connect provider: the round trip's state
(PKCE verifier, nonce, where to return) is a one-time ticket; the person is matched by the
e-mail address their provider vouches for, or provisioned with the organisation's default roles.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from interlude.identity.adapters.oidc import Client, OidcClient, OidcError, Provider
from interlude.identity.adapters.oidc import ProviderUnavailable as OidcUnavailable
from interlude.identity.app import people
from interlude.identity.app.deps import Identity
from interlude.identity.app.tokens import TokenPair, open_session
from interlude.identity.domain import user
from interlude.identity.domain.claims import GLOBAL_TENANT
from interlude.identity.domain.errors import AlreadyExists, DomainError, NotFound
from interlude.identity.domain.events import SingleSignOnConfigured
from interlude.identity.domain.organisation import Organisation, SingleSignOn
from interlude.shared.events.envelope import Actor
from interlude.shared.text import refusal

log = logging.getLogger(__name__)
TICKET = "sso"
TICKET_TTL = timedelta(minutes=10)
CODE = "sso-code"  # what the web app exchanges, server to server, for the tokens
CODE_TTL = timedelta(seconds=60)
CALLBACK = "/v1/sso/callback"
START_AGAIN = "start again from your organisation's sign-in page"


class SsoRefused(DomainError):
    """A sign-in that did not happen; ``reason`` goes to the audit trail."""

    status, slug = 401, "sso-failed"

    def __init__(self, detail: str, reason: str, user_id: str = "unknown") -> None:
        super().__init__(detail)
        self.reason = reason
        self.user_id = user_id
        self.return_to: str | None = None  # our web app's page, when it started the sign-in


class SsoStateInvalid(SsoRefused):
    status, slug = 400, "sso-state-invalid"


class SsoUnavailable(SsoRefused):
    status, slug = 502, "sso-provider-unavailable"


class SsoEmailUnverified(SsoRefused):
    status, slug = 403, "sso-email-unverified"


class SsoDomainNotAllowed(SsoRefused):
    status, slug = 403, "sso-domain-not-allowed"


class SsoAccountRefused(SsoRefused):
    status, slug = 403, "sso-account-refused"


class ReturnInvalid(DomainError):
    status, slug = 400, "sso-return-invalid"


class CodeInvalid(DomainError):
    status, slug = 400, "sso-code-invalid"


@dataclass(frozen=True)
class Callback:
    state: str | None
    code: str | None
    error: str | None = None


@dataclass(frozen=True)
class Completed:
    """A person signed in: tokens for an API caller, or, for our web app (``return_to``),
    a one-time code it exchanges for them (``exchange``): tokens never travel in an address."""

    tokens: TokenPair | None
    code: str | None
    return_to: str | None


def oidc_client(deps: Identity) -> OidcClient:
    """The client of organisations' identity providers (the API process opens it)."""
    if deps.oidc is None:
        raise SsoUnavailable("single sign-on is not available in this process; try again",
                             "no-oidc-client")
    return deps.oidc


def redirect_uri(deps: Identity) -> str:
    return deps.settings.public_url.rstrip("/") + CALLBACK


async def begin(deps: Identity, oidc: OidcClient, org_id: str, return_to: str | None) -> str:
    """Remember the round trip in a ticket; the provider's authorization URL to send them to."""
    target = _checked_return(deps, return_to)
    sso = _configured(await _organisation(deps, org_id))
    provider = await _provider(oidc, sso.issuer)
    state, nonce, verifier = (secrets.token_urlsafe(32), secrets.token_urlsafe(24),
                              secrets.token_urlsafe(48))
    await deps.tickets.issue(TICKET, org_id, {
        "issuer": sso.issuer, "client_id": sso.client_id, "nonce": nonce,
        "code_verifier": verifier, "return_to": target}, deps.clock(), TICKET_TTL, ticket=state)
    client = Client(sso.client_id, "", redirect_uri(deps))
    return await oidc.authorization_url(provider, client, state=state, nonce=nonce,
                                        code_verifier=verifier)


async def complete(deps: Identity, oidc: OidcClient, callback: Callback) -> Completed:
    """The provider sent the person back: exchange the code, check the ID token, sign in."""
    now = deps.clock()
    found = await deps.tickets.take(TICKET, callback.state, now) if callback.state else None
    if found is None:  # never issued, expired, or used already: a replay looks like this
        await deps.record_login(GLOBAL_TENANT, "unknown", "denied", "sso-state-invalid")
        raise SsoStateInvalid(f"this sign-in has expired or was already used; {START_AGAIN}",
                              "sso-state-invalid")
    tenant_id, ticket = found
    try:
        user_id, state, amr = await _signed_in_person(deps, oidc, tenant_id, ticket, callback)
    except SsoRefused as refused:
        log.warning("single sign-on refused in %s: %s", tenant_id, refused.reason)
        await deps.record_login(tenant_id, refused.user_id, "denied", f"sso:{refused.reason}")
        refused.return_to = ticket.get("return_to")
        raise
    await deps.record_login(tenant_id, user_id, "allowed", None)
    return_to = ticket.get("return_to")
    if return_to is None:
        return Completed(await open_session(deps, tenant_id, user_id, state, amr, now), None,
                         None)
    code = await deps.tickets.issue(CODE, tenant_id, {"user_id": user_id, "amr": list(amr)},
                                    now, CODE_TTL)
    return Completed(None, code, return_to)


async def exchange(deps: Identity, code: str) -> TokenPair:
    """The web app's code for the signed-in person's tokens (once, within a minute)."""
    now = deps.clock()
    found = await deps.tickets.take(CODE, code, now)
    if found is None:
        raise CodeInvalid(f"this sign-in has expired or was already used; {START_AGAIN}")
    tenant_id, data = found
    state = (await deps.users.load(tenant_id, data["user_id"])).state
    if state.status != "active":  # deactivated in that minute
        await deps.record_login(tenant_id, data["user_id"], "denied", "sso:deactivated")
        raise SsoAccountRefused("this account is not active; ask your organisation's"
                                " administrator", "deactivated", data["user_id"])
    return await open_session(deps, tenant_id, data["user_id"], state, tuple(data["amr"]), now)


async def _signed_in_person(deps: Identity, oidc: OidcClient, tenant_id: str,
                            ticket: dict[str, Any],
                            callback: Callback) -> tuple[str, user.User, tuple[str, ...]]:
    if callback.error:
        error = re.sub(r"[^A-Za-z0-9_.-]", "", callback.error)[:60]  # it came in a URL
        raise SsoRefused(f"your identity provider did not sign you in ({error}); {START_AGAIN},"
                         " or ask your organisation's administrator", f"provider-{error}")
    if not callback.code:
        raise SsoRefused(f"the identity provider sent no authorization code; {START_AGAIN}",
                         "no-code")
    org = await _organisation(deps, tenant_id)
    sso = _configured(org)
    if (sso.issuer, sso.client_id) != (ticket["issuer"], ticket["client_id"]):
        raise SsoRefused("your organisation's single sign-on settings changed during your"
                         f" sign-in; {START_AGAIN}", "configuration-changed")
    client = Client(sso.client_id, await _client_secret(deps, tenant_id), redirect_uri(deps))
    claims = await _id_claims(deps, oidc, sso, client, ticket, callback.code)
    email = _vouched_email(claims, sso)
    user_id, state = await _person(deps, tenant_id, org, email, _display_name(claims, email))
    return user_id, state, _methods(claims, org, user_id, state)


# RFC 8176 methods that are a second factor, or say one was used
SECOND_FACTORS = frozenset({"mfa", "otp", "hwk", "swk", "sms", "fpt", "face", "iris", "retina",
                            "vbm", "sc", "pop"})


def _methods(claims: dict[str, Any], org: Organisation, user_id: str,
             state: user.User) -> tuple[str, ...]:
    """The sign-in methods for the token. Where the policy requires a second factor for one
    of the person's roles, the provider must say it used one (``amr``): we trust the
    organisation's provider to do it, not to skip it."""
    reported = claims.get("amr")
    methods = {m for m in reported if isinstance(m, str)} if isinstance(reported, list) else set()
    second = bool(methods & SECOND_FACTORS)
    required = set(org.security_policy.auth_mfa_required_roles) & set(state.roles)
    if required and not second:
        raise SsoRefused(
            f"your organisation requires two-step sign-in for {', '.join(sorted(required))}, and"
            " your identity provider did not report one; ask your administrator to require it"
            " there", "mfa-not-reported", user_id)
    return ("oidc", "mfa") if second else ("oidc",)


async def _id_claims(deps: Identity, oidc: OidcClient, sso: SingleSignOn, client: Client,
                     ticket: dict[str, Any], code: str) -> dict[str, Any]:
    provider = await _provider(oidc, sso.issuer)
    try:
        token = await oidc.exchange(provider, client, code=code,
                                    code_verifier=ticket["code_verifier"])
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("the identity provider sent no ID token", "no-id-token")
        return await oidc.id_token_claims(provider, client, id_token, nonce=ticket["nonce"],
                                          now=deps.clock())
    except OidcUnavailable as error:
        raise _unavailable(error) from error
    except OidcError as error:
        raise SsoRefused(f"{error}; {START_AGAIN}", error.reason) from error


def _vouched_email(claims: dict[str, Any], sso: SingleSignOn) -> str:
    raw = claims.get("email")
    if not isinstance(raw, str) or not raw:
        raise SsoRefused("your identity provider did not tell us your e-mail address; ask your"
                         " administrator to release the 'email' claim to Interlude", "no-email")
    try:
        email = validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise SsoRefused(f"the e-mail address your identity provider sent cannot be used here"
                         f" ({error}); ask your administrator", "email-invalid") from error
    if claims.get("email_verified") is not True:
        raise SsoEmailUnverified("your identity provider has not verified your e-mail address;"
                                 " verify it there, then sign in again", "email-unverified")
    domain = email.rsplit("@", 1)[1].lower()
    if domain not in sso.allowed_domains:
        raise SsoDomainNotAllowed(
            f"addresses at {domain} may not sign in to this organisation with single sign-on;"
            f" use an address at {', '.join(sso.allowed_domains)}", "domain-not-allowed")
    return email


def _display_name(claims: dict[str, Any], email: str) -> str:
    parts = [claims.get(k) for k in ("name", "given_name", "family_name")]
    name = parts[0] if isinstance(parts[0], str) and parts[0].strip() else " ".join(
        p.strip() for p in parts[1:] if isinstance(p, str) and p.strip())
    name = name.strip()[:200]
    # a name the directory could not store (a NUL, another control character) is not taken:
    # the person still signs in, known by their address until someone names them
    return name if name and refusal(name, "single-line") is None else email.split("@", 1)[0]


async def _person(deps: Identity, tenant_id: str, org: Organisation, email: str,
                  name: str) -> tuple[str, user.User]:
    """The organisation's person with this address, or a new one with the default roles. Only
    this organisation's accounts are looked at: its provider vouches for its own people, and
    an account the address has elsewhere is another, independent one (ADR 0005)."""
    digest = deps.digest(email)
    user_id = await people.holder(deps, tenant_id, digest)
    if user_id is None:
        assert org.sso is not None
        actor = Actor.system("single-sign-on")
        ctx = deps.context(tenant_id, actor, policy_version=org.policy_version)
        try:
            user_id, _ = await people.provision(deps, ctx, email=email, display_name=name,
                                                roles=org.sso.default_roles, source="oidc")
            return user_id, (await deps.users.load(tenant_id, user_id)).state
        except AlreadyExists:  # claimed at the same moment (a second tab): match that person
            user_id = await people.holder(deps, tenant_id, digest, use_cache=False)
    if user_id is None:  # claimed and released again in that moment
        raise SsoAccountRefused(f"your account changed during your sign-in; {START_AGAIN}",
                                "account-changed")
    state = (await deps.users.load(tenant_id, user_id)).state
    if state.status == "invited":
        raise SsoAccountRefused("your invitation is still open; accept it first, then single"
                                " sign-on works", "invitation-open", user_id)
    if state.status != "active":
        raise SsoAccountRefused("this account is not active; ask your organisation's"
                                " administrator", "deactivated", user_id)
    return user_id, state


async def _organisation(deps: Identity, org_id: str) -> Organisation:
    state = (await deps.orgs.load(org_id, org_id)).state
    if not state.registered:
        raise NotFound("there is no such organisation")
    return state


def _configured(org: Organisation) -> SingleSignOn:
    if org.sso is None:
        raise NotFound("this organisation has not set up single sign-on; sign in with your"
                       " e-mail address and password")
    return org.sso


async def _client_secret(deps: Identity, tenant_id: str) -> str:
    """The secret is sealed in the last SingleSignOnConfigured event and, unlike the rest of the
    configuration, kept out of the organisation's state (states are snapshotted unsealed)."""
    repo = deps.orgs
    read = await repo.store.read(repo.subject(tenant_id, tenant_id), 0)
    envelopes = [e for c in read.commits for e in c.envelopes
                 if e.type == SingleSignOnConfigured.type_name]
    event = await repo.codec.decode(envelopes[-1]) if envelopes else None
    if not isinstance(event, SingleSignOnConfigured) or event.client_secret.is_erased:
        raise SsoRefused("your organisation's single sign-on has no client secret; ask your"
                         " administrator to configure it again", "no-client-secret")
    return event.client_secret.reveal()


async def _provider(oidc: OidcClient, issuer: str) -> Provider:
    try:
        return await oidc.discover(issuer)
    except OidcUnavailable as error:
        raise _unavailable(error) from error


def _unavailable(error: OidcError) -> SsoUnavailable:
    return SsoUnavailable(f"{error}; try again in a few minutes, or ask your administrator to"
                          " check the single sign-on settings", error.reason)


def _checked_return(deps: Identity, return_to: str | None) -> str | None:
    """Only our own web app may receive the tokens."""
    if return_to is None:
        return None
    web, target = urlsplit(deps.settings.web_url), urlsplit(return_to)
    if ((target.scheme, target.netloc) != (web.scheme, web.netloc) or target.fragment
            or not (target.path or "/").startswith(web.path.rstrip("/") + "/")):
        raise ReturnInvalid(f"return_to must be an address on {deps.settings.web_url}")
    return return_to
