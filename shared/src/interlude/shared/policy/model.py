"""An organisation's security policy: which features its people may use.

identity owns the policy and publishes every version as ``identity.SecurityPolicyChanged``;
every other service keeps a copy and enforces the keys of its own domain. The keys are dotted
names (``community.enabled``), the same on the wire, in the API and in problem responses.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Role = Literal["coachee", "coach", "sponsor", "org_admin", "compliance_officer"]
ROLES: tuple[str, ...] = ("coachee", "coach", "sponsor", "org_admin", "compliance_officer")
Channel = Literal["in_app", "email", "webhook"]


class PolicyInvalid(ValueError):
    """A change names an unknown key or gives a key a value it cannot take."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


class SecurityPolicy(BaseModel):
    """Every key with its default. Confidential by default: e-mails carry no content, files
    cannot be attached, and nothing is enabled that shares more than the contract allows."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=False)

    community_enabled: bool = Field(True, alias="community.enabled")
    community_pseudonyms: Literal["allowed", "required", "forbidden"] = Field(
        "allowed", alias="community.pseudonyms")
    community_peer_tagging: bool = Field(True, alias="community.peer_tagging")
    # coaches find and join peer circles of other organisations that allow it too (their
    # members shown by pseudonym); off, every circle stays within the organisation (ADR 0015)
    community_circles_across_organisations: bool = Field(
        False, alias="community.circles_across_organisations")
    messaging_enabled: bool = Field(True, alias="messaging.enabled")
    messaging_attachments: bool = Field(False, alias="messaging.attachments")
    checkins_enabled: bool = Field(True, alias="checkins.enabled")
    notify_channels: tuple[Channel, ...] = Field(("in_app", "email"), alias="notify.channels")
    notify_email_content: Literal["none", "subject", "full"] = Field(
        "none", alias="notify.email_content")
    sponsor_reports_enabled: bool = Field(True, alias="sponsor_reports.enabled")
    data_retention_days: int = Field(365, ge=30, le=3650, alias="data.retention_days")
    # how long notifications (the inbox, and what went by e-mail or webhook) are kept; never
    # longer than ``data.retention_days``
    notify_retention_days: int = Field(180, ge=30, le=3650, alias="notify.retention_days")
    export_self_service: bool = Field(True, alias="export.self_service")
    # a coach sharing readings, exercises, worksheets and links with a coachee (in their
    # contract); links are stored, never fetched
    materials_enabled: bool = Field(True, alias="materials.enabled")
    auth_mfa_required_roles: tuple[Role, ...] = Field((), alias="auth.mfa_required_roles")

    def to_wire(self) -> dict[str, Any]:
        """The dotted-key form stored in events and shown by the API."""
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> SecurityPolicy:
        """Read a stored policy; keys added after it was written take their defaults."""
        known = {k: v for k, v in data.items() if k in POLICY_KEYS}
        return cls.model_validate(known)

    def value(self, key: str) -> Any:
        if key not in POLICY_KEYS:
            raise KeyError(f"unknown policy key {key!r}")
        return getattr(self, POLICY_KEYS[key])

    def changed(self, changes: dict[str, Any]) -> SecurityPolicy:
        """This policy with ``changes`` applied; :class:`PolicyInvalid` names the first bad key."""
        for key in changes:
            if key not in POLICY_KEYS:
                known = ", ".join(POLICY_KEYS)
                raise PolicyInvalid(key, f"is not a policy key; the keys are {known}")
        try:
            # as JSON, strictly: a change comes from a JSON body, where true is no 1 and 30 is
            # no "30" (the stored policies, read by from_wire, keep the lenient reading)
            return SecurityPolicy.model_validate_json(
                json.dumps({**self.to_wire(), **changes}), strict=True)
        except ValidationError as err:
            first = err.errors()[0]
            key = str(first["loc"][0]) if first.get("loc") else next(iter(changes))
            raise PolicyInvalid(key, first.get("msg", "invalid value")) from None

    def differences(self, other: SecurityPolicy) -> list[str]:
        """The keys whose values differ between the two policies."""
        mine, theirs = self.to_wire(), other.to_wire()
        return [key for key in POLICY_KEYS if mine[key] != theirs[key]]


POLICY_KEYS: dict[str, str] = {
    field.alias: name for name, field in SecurityPolicy.model_fields.items() if field.alias
}
DEFAULT_POLICY = SecurityPolicy.model_validate({})
