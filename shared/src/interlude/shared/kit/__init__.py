"""The service kit: what every service's ``app`` and ``api`` layers share instead of copying.

- :mod:`.app`: :class:`ServiceApp`, the base of a service's application object (the command
  context, ids that a retried request gets again, policy enforcement, read auditing, the
  clock), :class:`Written` (what a command answers) and the :class:`Enforcer` port.
- :mod:`.api`: the route dependencies every service uses (``Idempotency-Key``, item ids,
  ``?after=``, the caller's context, the wired application), the public answer to a command
  (:class:`WrittenPublic`), read-your-writes (:func:`caught_up`) and the problem responses to
  declare on routes (:func:`problems`).
"""

from interlude.shared.kit.api import (
    ID_PATTERN,
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    After,
    IdempotencyKey,
    ItemId,
    ReadModels,
    WrittenPublic,
    app_dependency,
    caught_up,
    context_dependency,
    problems,
)
from interlude.shared.kit.app import Enforcer, ServiceApp, Written, command_context, utc_now

__all__ = [
    "ID_PATTERN",
    "READ_PROBLEMS",
    "WRITE_PROBLEMS",
    "After",
    "Enforcer",
    "IdempotencyKey",
    "ItemId",
    "ReadModels",
    "ServiceApp",
    "Written",
    "WrittenPublic",
    "app_dependency",
    "caught_up",
    "command_context",
    "context_dependency",
    "problems",
    "utc_now",
]
