"""What identity's domain refuses, beyond the kinds every service shares
(:mod:`interlude.shared.errors`, which also translates them all into problems). Each error
carries the status and stable slug the API answers with; the message says what to do about it."""

from __future__ import annotations

from interlude.shared.errors import DomainError, Invalid, InvalidState, NotFound


class AlreadyExists(DomainError):
    status, slug = 409, "already-exists"


class InvitationUsed(DomainError):
    status, slug = 410, "invitation-used"


class InvitationExpired(DomainError):
    status, slug = 410, "invitation-expired"


class InvitationInvalid(DomainError):
    status, slug = 404, "invitation-invalid"


class ResetInvalid(DomainError):
    status, slug = 404, "password-reset-invalid"


class ResetExpired(DomainError):
    status, slug = 410, "password-reset-expired"


class PasswordWrong(DomainError):
    """The current password, asked again to change it, is wrong (403, not 401: the caller's
    token is fine)."""

    status, slug = 403, "current-password-wrong"


class PolicyRefused(Invalid):
    """A change of the security policy with an unknown key or a bad value; ``key`` names it."""

    slug = "policy-invalid"


__all__ = ["AlreadyExists", "DomainError", "Invalid", "InvalidState", "InvitationExpired",
           "InvitationInvalid", "InvitationUsed", "NotFound", "PolicyRefused"]
