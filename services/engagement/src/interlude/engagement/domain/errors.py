"""What the domain refuses. Each error carries the status and stable slug the API answers
with; the message says what to do about it."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 409
    slug = "conflict"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status, slug = 404, "not-found"


class InvalidState(DomainError):
    status, slug = 409, "invalid-state"


class AlreadyOpen(DomainError):
    status, slug = 409, "contract-already-open"


class NotAllowed(DomainError):
    """The caller is a party, but the contract gives this act to another party."""

    status, slug = 403, "not-your-part"


class ChannelNotAgreed(DomainError):
    status, slug = 403, "channel-not-agreed"


class ConsentMissing(DomainError):
    status, slug = 403, "consent-missing"


class AllowanceExhausted(DomainError):
    status, slug = 409, "message-allowance-exhausted"


class PlanExceeded(DomainError):
    status, slug = 409, "session-plan-exceeded"


class Invalid(DomainError):
    status, slug = 422, "invalid"
