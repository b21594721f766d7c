"""identity's events: released contracts, named for good, never edited (a new shape gets a new
version and an upcaster). Names and e-mail addresses are sealed with the person's own key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.sealing import Secret

registry = EventRegistry()
EVENT = registry.event


# -- the organisation (aggregate id = tenant id) ------------------------------------------------

@EVENT("identity.OrganisationRegistered")
class OrganisationRegistered(Event):
    name: str
    allowed_domains: tuple[str, ...] = ()


@EVENT("identity.SecurityPolicyChanged")
class SecurityPolicyChanged(Event):
    version: int
    policy: dict[str, Any]
    changed_keys: tuple[str, ...]
    reason: str


@EVENT("identity.SingleSignOnConfigured")
class SingleSignOnConfigured(Event):
    issuer: str
    client_id: str
    client_secret: Secret
    allowed_domains: tuple[str, ...]
    default_roles: tuple[str, ...]


@EVENT("identity.ScimTokenIssued")
class ScimTokenIssued(Event):
    token_id: str
    token_hash: str
    label: str


@EVENT("identity.ScimTokenRevoked")
class ScimTokenRevoked(Event):
    token_id: str


# -- a person (aggregate id = user id; sealed fields use the user id as their subject) ----------

@EVENT("identity.UserInvited")
class UserInvited(Event):
    user_id: str
    email: Secret
    email_digest: str  # the keyed digest that claims the address (see domain/claims.py)
    display_name: Secret
    roles: tuple[str, ...]
    invitation_id: str
    token_hash: str
    expires_at: datetime


@EVENT("identity.InvitationReissued")
class InvitationReissued(Event):
    """A new link for someone who has not joined yet (theirs expired or was lost): the earlier
    link stops working."""

    user_id: str
    invitation_id: str
    token_hash: str
    expires_at: datetime


@EVENT("identity.UserActivated")
class UserActivated(Event):
    user_id: str
    invitation_id: str
    password_hash: Secret


@EVENT("identity.UserProvisioned", version=2)
class UserProvisioned(Event):
    """Created active without an invitation: the first org_admin, or by SCIM or single sign-on.
    v2 seals ``external_id``: a directory may send the address, or an alias built from the
    name, as a SCIM externalId."""

    user_id: str
    email: Secret
    email_digest: str
    display_name: Secret
    roles: tuple[str, ...]
    source: str  # registration | scim | oidc
    external_id: Secret | None = None


@EVENT("identity.ProfileChanged", version=2)
class ProfileChanged(Event):
    """v2 seals ``external_id``, as :class:`UserProvisioned` v2 does."""

    user_id: str
    email: Secret | None = None
    email_digest: str | None = None
    display_name: Secret | None = None
    external_id: Secret | None = None


@registry.upcaster("identity.UserProvisioned", from_version=1)
@registry.upcaster("identity.ProfileChanged", from_version=1)
def _external_id_in_clear(payload: dict[str, Any]) -> dict[str, Any]:
    """v1 carried ``external_id`` in clear: the same value, as the person's secret."""
    external_id = payload.get("external_id")
    if external_id is None:
        return payload
    return payload | {"external_id": Secret(external_id, payload["user_id"])}


@EVENT("identity.PasswordResetIssued")
class PasswordResetIssued(Event):
    """A single-use link for someone to choose a new password, asked for by them (a forgotten
    password) or by an administrator, e-mailed to them alone (notify). ``link`` is its token,
    sealed under their key: no one else, the administrator included, ever sees it."""

    user_id: str
    reset_id: str
    token_hash: str
    link: Secret
    expires_at: datetime


@EVENT("identity.PasswordSet")
class PasswordSet(Event):
    user_id: str
    password_hash: Secret


@EVENT("identity.RoleGranted")
class RoleGranted(Event):
    user_id: str
    role: str


@EVENT("identity.RoleRevoked")
class RoleRevoked(Event):
    user_id: str
    role: str


@EVENT("identity.UserDeactivated")
class UserDeactivated(Event):
    user_id: str
    reason: str


@EVENT("identity.UserReactivated")
class UserReactivated(Event):
    user_id: str


@EVENT("identity.MfaEnrolmentStarted")
class MfaEnrolmentStarted(Event):
    user_id: str
    totp_secret: Secret


@EVENT("identity.MfaEnabled")
class MfaEnabled(Event):
    user_id: str


@EVENT("identity.SubjectErasureRequested")
class SubjectErasureRequested(Event):
    subject_id: str
    reason: str


@EVENT("identity.SubjectForgotten")
class SubjectForgotten(Event):
    subject_id: str


# -- an e-mail address (id = keyed digest of the address; see domain/claims.py) -------------------
# Claimed and released in the organisation's tenant. Before ADR 0005 these two were written in
# the tenant "global" as an installation-wide claim; the index there still reads them.

@EVENT("identity.EmailClaimed")
class EmailClaimed(Event):
    tenant_id: str
    user_id: str


@EVENT("identity.EmailReleased")
class EmailReleased(Event):
    user_id: str


# the index of the accounts that have an address, one per organisation (tenant "global")

@EVENT("identity.EmailAccountListed")
class EmailAccountListed(Event):
    tenant_id: str
    user_id: str


@EVENT("identity.EmailAccountUnlisted")
class EmailAccountUnlisted(Event):
    tenant_id: str
    user_id: str


# -- a SCIM group (aggregate id = group id) -------------------------------------------------------

@EVENT("identity.GroupCreated")
class GroupCreated(Event):
    display_name: str
    external_id: str | None
    members: tuple[str, ...]


@EVENT("identity.GroupChanged")
class GroupChanged(Event):
    display_name: str
    external_id: str | None
    members: tuple[str, ...]


@EVENT("identity.GroupDeleted")
class GroupDeleted(Event):
    pass
