"""What the domain refuses. Each error carries the status and stable slug the API answers
with; the message says what to do about it."""

from __future__ import annotations


class DomainError(Exception):
    status = 409
    slug = "conflict"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    status, slug = 404, "not-found"


class AlreadyExists(DomainError):
    status, slug = 409, "already-exists"


class InvalidState(DomainError):
    status, slug = 409, "invalid-state"


class InvitationUsed(DomainError):
    status, slug = 410, "invitation-used"


class InvitationExpired(DomainError):
    status, slug = 410, "invitation-expired"


class InvitationInvalid(DomainError):
    status, slug = 404, "invitation-invalid"


class Invalid(DomainError):
    status, slug = 422, "invalid"
