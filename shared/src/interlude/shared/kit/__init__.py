"""The service kit: what every service's ``app`` and ``api`` layers share instead of copying.

- :mod:`.app`: :class:`ServiceApp`, the base of a service's application object (the command
  context, ids that a retried request gets again, policy enforcement, read auditing, the
  clock), :class:`Written` (what a command answers) and the :class:`Enforcer` port.
- :mod:`.api`: the route dependencies every service uses (``Idempotency-Key``, item ids,
  ``?after=``, the caller's context, the wired application), instants and integers a client
  sends kept in range (:data:`Instant`, :data:`MAX_INT`, :data:`MAX_INT32`), the public
  answer to a command (:class:`WrittenPublic`), read-your-writes (:func:`caught_up`) and the
  problem responses to declare on routes (:func:`problems`).
"""

from interlude.shared.kit.api import (
    ID_PATTERN,
    MAX_INT,
    MAX_INT32,
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    After,
    IdempotencyKey,
    Instant,
    ItemId,
    ReadModels,
    WrittenPublic,
    app_dependency,
    as_text,
    caught_up,
    context_dependency,
    in_range,
    problems,
)
from interlude.shared.kit.app import Enforcer, ServiceApp, Written, command_context, utc_now

__all__ = [
    "ID_PATTERN",
    "MAX_INT",
    "MAX_INT32",
    "READ_PROBLEMS",
    "WRITE_PROBLEMS",
    "After",
    "Enforcer",
    "IdempotencyKey",
    "Instant",
    "ItemId",
    "ReadModels",
    "ServiceApp",
    "Written",
    "WrittenPublic",
    "app_dependency",
    "as_text",
    "caught_up",
    "command_context",
    "context_dependency",
    "in_range",
    "problems",
    "utc_now",
]
