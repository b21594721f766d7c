"""identity's published events, as every other service reads them: the names, versions and
fields consumers rely on, declared once here so that no service imports identity's code.

These are contracts, not identity's own classes: each lists only the fields its readers use
and ignores the rest (a tolerant reader), so identity may add a field without a release of
its consumers. Versions follow identity's: when identity registers a new version of one of
these, it adds the step here too (identity's test ``test_published_contracts`` fails until
it does), so a consumer never meets a version it cannot read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, StrictInt

from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.sealing import Secret

identity = EventRegistry()


class Published(Event):
    """A contract of another service's event: unknown fields are ignored, not refused."""

    model_config = ConfigDict(extra="ignore")


@identity.event("identity.SecurityPolicyChanged")
class SecurityPolicyChanged(Published):
    version: StrictInt  # a policy version is never guessed from a string
    policy: dict[str, Any]


@identity.event("identity.UserInvited")
class UserInvited(Published):
    user_id: str
    display_name: Secret
    roles: tuple[str, ...]
    email: Secret | None = None  # notify sends to it


@identity.event("identity.UserProvisioned", version=2)
class UserProvisioned(Published):
    user_id: str
    display_name: Secret
    roles: tuple[str, ...]
    email: Secret | None = None


@identity.event("identity.UserActivated")
class UserActivated(Published):
    user_id: str


@identity.event("identity.PasswordResetIssued")
class PasswordResetIssued(Published):
    """A link to choose a new password, for notify to e-mail to its person alone."""

    user_id: str
    reset_id: str
    link: Secret  # the link's token, sealed under the person's key
    expires_at: datetime


@identity.event("identity.UserDeactivated")
class UserDeactivated(Published):
    user_id: str


@identity.event("identity.UserReactivated")
class UserReactivated(Published):
    user_id: str


@identity.event("identity.RoleGranted")
class RoleGranted(Published):
    user_id: str
    role: str


@identity.event("identity.RoleRevoked")
class RoleRevoked(Published):
    user_id: str
    role: str


@identity.event("identity.ProfileChanged", version=2)
class ProfileChanged(Published):
    user_id: str
    display_name: Secret | None = None
    email: Secret | None = None


@identity.event("identity.SubjectForgotten")
class SubjectForgotten(Published):
    subject_id: str


@identity.upcaster("identity.UserProvisioned", from_version=1)
@identity.upcaster("identity.ProfileChanged", from_version=1)
def _same_fields(payload: dict[str, Any]) -> dict[str, Any]:
    """v2 sealed ``external_id``, which no consumer reads: the fields here did not change."""
    return payload
