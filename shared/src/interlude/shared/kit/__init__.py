"""The service kit: what every service's ``app`` and ``api`` layers share instead of copying.

- :mod:`.app`: :class:`ServiceApp`, the base of a service's application object (the command
  context, ids that a retried request gets again, policy enforcement, read auditing, the
  clock), :class:`Written` (what a command answers) and the :class:`Enforcer` port.
- :mod:`.api`: the route dependencies every service uses (``Idempotency-Key``, item ids,
  ``?after=``, the caller's context, the wired application), instants and integers a client
  sends kept in range (:data:`Instant`, :data:`MAX_INT`, :data:`MAX_INT32`), the public
  answer to a command (:class:`WrittenPublic`), read-your-writes (:func:`caught_up`) and the
  problem responses to declare on routes (:func:`problems`).
- :mod:`.body`: :class:`RequestBody`, the base of every JSON request body, whose booleans and
  numbers take only their own JSON type, and :func:`loose_scalars`, which finds one that
  would take another.
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
from interlude.shared.kit.body import RequestBody, loose_scalars

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
    "RequestBody",
    "ServiceApp",
    "Written",
    "WrittenPublic",
    "app_dependency",
    "as_text",
    "caught_up",
    "command_context",
    "context_dependency",
    "in_range",
    "loose_scalars",
    "problems",
    "utc_now",
]
