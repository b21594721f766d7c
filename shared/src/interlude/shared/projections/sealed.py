"""Content in the read models stays as sealed as it is in the events: a column holds
``{"event_id", "field", "sealed"}``, and only a party's read opens it."""

from __future__ import annotations

import json
from typing import Any

from interlude.shared.projections.base import RecordedEvent
from interlude.shared.projections.typed import Sealed
from interlude.shared.sealing import Sealer, Secret, is_sealed


def keep(event: RecordedEvent, field: str) -> str | None:
    """The sealed ``field`` of ``event`` as a jsonb value (None when the field is absent)."""
    value = event.payload.get(field)
    if value is None:
        return None
    if not is_sealed(value):
        raise ValueError(f"{event!r}: field {field!r} should be sealed and is not")
    return json.dumps({"event_id": event.wire["event_id"], "field": field, "sealed": value})


def kept(value: Secret | None) -> str | None:
    """A sealed field of a decoded event (a :class:`Sealed`) as a jsonb value; None when
    absent. Anything else is refused: content is never written in clear."""
    if value is None:
        return None
    if not isinstance(value, Sealed):
        raise ValueError(f"a {type(value).__name__} is not sealed: it cannot be kept")
    return json.dumps({"event_id": value.event_id, "field": value.field,
                       "sealed": value.sealed})


async def reveal(sealer: Sealer, tenant_id: str, stored: str | dict[str, Any] | None) -> str | None:
    """The plaintext of a kept value; ``[erased]`` once its subject is forgotten; None if
    absent (or removed from the read model at erasure)."""
    if stored is None:
        return None
    value = json.loads(stored) if isinstance(stored, str) else stored
    secret = await sealer.open(value["sealed"], tenant=tenant_id, event_id=value["event_id"],
                               field=value["field"])
    return secret.reveal()


async def opened_or_none(sealer: Sealer, tenant_id: str,
                         stored: str | dict[str, Any] | None) -> str | None:
    """Like :func:`reveal`, but None once the subject is forgotten: for a person's own data
    (a name, an address), where the reader shows "former member" rather than ``[erased]``."""
    if stored is None:
        return None
    value = json.loads(stored) if isinstance(stored, str) else stored
    secret = await sealer.open(value["sealed"], tenant=tenant_id, event_id=value["event_id"],
                               field=value["field"])
    return None if secret.is_erased else secret.reveal()
