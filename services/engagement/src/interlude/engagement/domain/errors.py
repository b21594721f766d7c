"""What engagement's domain refuses: the platform's kinds (:mod:`interlude.shared.errors`) and
engagement's own. Each carries the status and stable slug the API answers with."""

from __future__ import annotations

from interlude.shared.errors import (
    ConsentMissing,
    DomainError,
    Invalid,
    InvalidState,
    NotAllowed,
    NotFound,
)

__all__ = ["AllowanceExhausted", "AlreadyOpen", "BadCursor", "ChannelNotAgreed", "ConsentMissing",
           "DomainError", "Invalid", "InvalidState", "NotAllowed", "NotFound", "PlanExceeded",
           "TooFarAhead", "TooFarBack"]


class AlreadyOpen(DomainError):
    status, slug = 409, "contract-already-open"


class ChannelNotAgreed(DomainError):
    status, slug = 403, "channel-not-agreed"


class AllowanceExhausted(DomainError):
    status, slug = 409, "message-allowance-exhausted"


class PlanExceeded(DomainError):
    status, slug = 409, "session-plan-exceeded"


class TooFarAhead(DomainError):
    """A session set further ahead than anyone plans one (``latest`` says until when)."""

    status, slug = 422, "session-too-far-ahead"


class TooFarBack(DomainError):
    """A session set further back than one is still recorded (``earliest`` says from when)."""

    status, slug = 422, "session-too-far-back"


class BadCursor(DomainError):
    """A page's cursor that no page of this reader gave (garbage, or another reader's)."""

    status, slug = 400, "bad-cursor"
