"""Request and response bodies: ``<Thing>Create`` / ``<Thing>Update`` / ``<Thing>Public``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import httpx
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from interlude.shared.kit import RequestBody
from interlude.shared.policy.model import Role
from interlude.shared.text import SingleLine

# free text (interlude.shared.text): refused with a 422 naming the field when the read side
# could not store it (NUL, other control characters, lone surrogates)
Name = Annotated[str, SingleLine(200, strip=True)]
Reason = Annotated[str, SingleLine(500, strip=True)]
Domain = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=253,
                                          pattern=r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")]
Password = Annotated[str, SingleLine(256, min_length=0)]
Token = Annotated[str, SingleLine(200)]


class OrganisationCreate(RequestBody):
    name: Name
    allowed_domains: list[Domain] = Field(default_factory=list, max_length=50)
    admin_email: EmailStr
    admin_name: Name
    admin_password: Password


class RegistrationPublic(BaseModel):
    id: str = Field(description="the organisation's id")
    admin_user_id: str
    position: int


class SingleSignOnPublic(BaseModel):
    issuer: str
    client_id: str
    allowed_domains: list[str]
    default_roles: list[str]
    login_url: str


class OrganisationPublic(BaseModel):
    id: str
    name: str
    allowed_domains: list[str]
    policy_version: int
    single_sign_on: SingleSignOnPublic | None


class PolicyUpdate(RequestBody):
    changes: dict[str, Any] = Field(min_length=1, max_length=50)
    reason: Reason


class PolicyPublic(BaseModel):
    tenant_id: str
    version: int
    policy: dict[str, Any]
    position: int = 0


class InvitationCreate(RequestBody):
    email: EmailStr
    display_name: Name
    roles: list[Role] = Field(min_length=1, max_length=5)


class InvitationAccept(RequestBody):
    token: Token
    password: Password


class RoleGrant(RequestBody):
    role: Role


class Deactivation(RequestBody):
    reason: Reason


class ErasureCreate(RequestBody):
    subject_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    reason: Reason


class SessionCreate(RequestBody):
    email: EmailStr
    password: Password
    otp: Annotated[str, SingleLine(12, min_length=0)] | None = None
    # the organisation's id, when the address has accounts in several (ADR 0005)
    organisation: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = None


class RefreshRequest(RequestBody):
    refresh_token: Token


class MfaTicket(RequestBody):
    ticket: Token | None = None


class MfaConfirm(MfaTicket):
    code: Annotated[str, StringConstraints(min_length=6, max_length=6, pattern=r"^\d{6}$")]


def _reachable(issuer: str) -> str:
    """An issuer identity can fetch discovery from: the pattern alone let through hosts that
    are no host name (``http://ć³&``), and sign-in with them failed with a 500."""
    try:
        host = httpx.URL(issuer).host
    except httpx.InvalidURL:
        host = ""
    if not host:
        raise ValueError("not a URL with a valid host name (https://login.example.org)")
    return issuer


class SingleSignOnUpdate(RequestBody):
    issuer: Annotated[str, StringConstraints(pattern=r"^https?://[^\s\x00-\x1f\x7f-\x9f]+$",
                                             max_length=500), AfterValidator(_reachable)]
    client_id: Annotated[str, SingleLine(200)]
    client_secret: Annotated[str, SingleLine(500)]
    allowed_domains: list[Domain] = Field(min_length=1, max_length=50)
    default_roles: list[Role] = Field(default=["coachee"], min_length=1)


class SsoCodeExchange(RequestBody):
    code: Token = Field(description="the one-time code identity gave with the redirect")


class ScimTokenCreate(RequestBody):
    label: Name


class ScimTokenPublic(BaseModel):
    id: str
    token: str = Field(description="shown only now; only its hash is kept")
    scim_base_url: str


class InvitationPublic(BaseModel):
    user_id: str
    position: int
    token: str
    accept_url: str
    expires_at: str


class PasswordLinkRequest(RequestBody):
    email: EmailStr


class PasswordLinkAsked(BaseModel):
    detail: str = ("if an account has this address, a link to choose a new password is on its "
                   "way to it (it works once, for two hours)")


class PasswordReset(RequestBody):
    token: Token
    password: Password


class PasswordChange(RequestBody):
    current_password: Password
    new_password: Password


class InvitationStatusPublic(BaseModel):
    status: str
    organisation: str


class TokensPublic(BaseModel):
    """A signed-in session: an access token and the refresh token that renews it."""

    token_type: str
    access_token: str
    refresh_token: str
    expires_in: int
    tenant_id: str
    user_id: str
    roles: list[str]


class MePublic(BaseModel):
    user_id: str
    tenant_id: str
    roles: list[str]
    policy_version: int | None
    amr: list[str]
    expires_at: str


class MfaEnrolmentPublic(BaseModel):
    otpauth_uri: str
    secret: str


class MfaEnabledPublic(BaseModel):
    status: str
    next: str


class ServiceTokenPublic(BaseModel):
    access_token: str
    token_type: str
    expires_in: int


class JwksPublic(BaseModel):
    """The public keys of access tokens (RFC 7517)."""

    model_config = ConfigDict(extra="allow")
    keys: list[dict[str, Any]]


class UserPublic(BaseModel):
    id: str
    email: str | None
    display_name: str | None
    roles: list[str]
    status: str
    source: str
    mfa: bool
    created_at: datetime
    updated_at: datetime


class PersonNamedPublic(BaseModel):
    id: str
    name: str


class PeopleNamedPublic(BaseModel):
    people: list[PersonNamedPublic]
    fresh: bool = Field(description="false when ?after= was not reached in time")


class UserListPublic(BaseModel):
    users: list[UserPublic]
    total: int
    next_cursor: str | None = Field(default=None, description="pass as ?cursor= for the next"
                                    " page; none after the last")
    fresh: bool = Field(description="false when ?after= was not reached in time")
