"""Request and response bodies: ``<Thing>Create`` / ``<Thing>Update`` / ``<Thing>Public``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

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


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrganisationCreate(Body):
    name: Name
    allowed_domains: list[Domain] = Field(default_factory=list, max_length=50)
    admin_email: EmailStr
    admin_name: Name
    admin_password: Password


class OrganisationPublic(BaseModel):
    id: str
    name: str
    allowed_domains: list[str]
    policy_version: int
    single_sign_on: dict[str, Any] | None


class PolicyUpdate(Body):
    changes: dict[str, Any] = Field(min_length=1, max_length=50)
    reason: Reason


class PolicyPublic(BaseModel):
    tenant_id: str
    version: int
    policy: dict[str, Any]
    position: int = 0


class InvitationCreate(Body):
    email: EmailStr
    display_name: Name
    roles: list[Role] = Field(min_length=1, max_length=5)


class InvitationAccept(Body):
    token: Token
    password: Password


class RoleGrant(Body):
    role: Role


class Deactivation(Body):
    reason: Reason


class ErasureCreate(Body):
    subject_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    reason: Reason


class SessionCreate(Body):
    email: EmailStr
    password: Password
    otp: Annotated[str, SingleLine(12, min_length=0)] | None = None
    # the organisation's id, when the address has accounts in several (ADR 0005)
    organisation: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = None


class RefreshRequest(Body):
    refresh_token: Token


class MfaTicket(Body):
    ticket: Token | None = None


class MfaConfirm(MfaTicket):
    code: Annotated[str, StringConstraints(min_length=6, max_length=6, pattern=r"^\d{6}$")]


class SingleSignOnUpdate(Body):
    issuer: Annotated[str, StringConstraints(pattern=r"^https?://[^\s\x00-\x1f\x7f-\x9f]+$",
                                             max_length=500)]
    client_id: Annotated[str, SingleLine(200)]
    client_secret: Annotated[str, SingleLine(500)]
    allowed_domains: list[Domain] = Field(min_length=1, max_length=50)
    default_roles: list[Role] = Field(default=["coachee"], min_length=1)


class ScimTokenCreate(Body):
    label: Name


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


class Written(BaseModel):
    id: str
    position: int
