"""What community's domain refuses: the platform's kinds (:mod:`interlude.shared.errors`) and
community's own. Each carries the status and stable slug the API answers with."""

from __future__ import annotations

from interlude.shared.errors import (
    ConsentMissing,
    DomainError,
    Invalid,
    InvalidState,
    NotAllowed,
    NotFound,
)

__all__ = [
    "ConsentMissing",
    "DomainError",
    "Invalid",
    "InvalidState",
    "NotAllowed",
    "NotEligible",
    "NotFound",
    "PseudonymTaken",
    "SlowMode",
]


class NotEligible(DomainError):
    """The person's contract does not agree community participation in this space."""

    status, slug = 409, "not-eligible"


class PseudonymTaken(DomainError):
    status, slug = 409, "pseudonym-taken"


class SlowMode(DomainError):
    """Answered 429 with ``Retry-After``: the member posts again after ``retry_after`` s."""

    status, slug = 429, "slow-mode"
