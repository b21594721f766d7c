"""A person's name, e-mail address and external id in the directory: sealed under their own key
as in the events (:func:`~interlude.shared.projections.sealed.keep`), opened only when an
allowed reader asks, and found by address or external id through keyed blind indexes. Deleting
a row leaves its bytes in dead tuples, the WAL and backups; with nothing written in clear, the
shredded key erases all."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from interlude.identity.adapters.digests import derive_key
from interlude.shared.projections.base import RecordedEvent
from interlude.shared.projections.sealed import keep, opened_or_none
from interlude.shared.sealing import KeyRing, Sealer, Secret, SubjectErasedError, is_sealed

SEALED = ("email", "display_name", "external_id")


class BlindIndex:
    """HMAC-SHA256 of a value under a key derived per organisation (and per ``purpose``), so
    equal values match within an organisation and nowhere else."""

    def __init__(self, master_secret: bytes, purpose: str, *, folded: bool) -> None:
        self._master = master_secret
        self._purpose = purpose
        self._folded = folded  # compared regardless of case (an address), or exactly

    def __call__(self, tenant_id: str, value: str) -> str:
        normal = value.strip().lower() if self._folded else value
        return hmac.new(self._key(tenant_id), normal.encode(), hashlib.sha256).hexdigest()

    @lru_cache(maxsize=1024)  # noqa: B019 - one index per process, bounded
    def _key(self, tenant_id: str) -> bytes:
        return derive_key(self._master, f"{self._purpose}:{tenant_id}")


class EmailIndex(BlindIndex):
    """The blind index of an address (its normalised form: case and outer spaces aside)."""

    def __init__(self, master_secret: bytes) -> None:
        super().__init__(master_secret, "directory email index", folded=True)


class ExternalIdIndex(BlindIndex):
    """The blind index of a SCIM ``externalId``: caseExact (RFC 7643 §4.1), so not folded.
    Entra ID and Okta may send the address, or an alias built from the name, as externalId."""

    def __init__(self, master_secret: bytes) -> None:
        super().__init__(master_secret, "directory external id index", folded=False)


@dataclass(frozen=True)
class Indexes:
    """The directory's blind indexes, by the kind of value they find."""

    email: EmailIndex
    external_id: ExternalIdIndex

    @classmethod
    def of(cls, master_secret: bytes) -> Indexes:
        return cls(EmailIndex(master_secret), ExternalIdIndex(master_secret))

    def __call__(self, kind: str, tenant_id: str, value: str) -> str:
        index: BlindIndex = getattr(self, kind)
        return index(tenant_id, value)


async def sealed_column(sealer: Sealer, event: RecordedEvent, field: str,
                        opened: Secret | None) -> str | None:
    """``field`` of ``event`` as a sealed column value. An event written before the field was
    sealed (``UserProvisioned`` and ``ProfileChanged`` v1 carried ``external_id`` in clear) is
    sealed here, under the person's key, bound to the event and field as the codec would; None
    when absent, or when the person is forgotten already (a replay)."""
    value = event.payload.get(field)
    if value is None or is_sealed(value):
        return keep(event, field)
    if opened is None or opened.is_erased:
        return None
    try:
        sealed = await sealer.seal(opened, tenant=event.tenant_id,
                                   event_id=event.wire["event_id"], field=field)
    except SubjectErasedError:
        return None
    return json.dumps({"event_id": event.wire["event_id"], "field": field, "sealed": sealed})


@dataclass(frozen=True)
class Opener:
    """What a reader of the directory needs: the sealer that opens, the indexes that find."""

    sealer: Sealer
    indexes: Indexes

    @classmethod
    def of(cls, keyring: KeyRing, master_secret: bytes) -> Opener:
        return cls(Sealer(keyring), Indexes.of(master_secret))

    async def row(self, tenant_id: str, row: dict[str, Any]) -> dict[str, Any]:
        """``row`` with its sealed columns opened (None once the person is forgotten)."""
        for column in SEALED:
            if column in row:
                row[column] = await opened_or_none(self.sealer, tenant_id, row[column])
        return row
