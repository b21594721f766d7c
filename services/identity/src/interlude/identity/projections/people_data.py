"""A person's name and e-mail address in the directory: sealed under their own key as in the
events (:func:`~interlude.shared.projections.sealed.keep`), opened only when an allowed reader
asks, and found by address through a keyed blind index. Deleting a row leaves its bytes in
dead tuples, the WAL and backups; with nothing written in clear, the shredded key erases all."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from interlude.identity.adapters.digests import derive_key
from interlude.shared.projections.sealed import opened_or_none
from interlude.shared.sealing import KeyRing, Sealer

SEALED = ("email", "display_name")


class EmailIndex:
    """The blind index of an address: HMAC-SHA256 of its normalised form under a key derived
    per organisation, so equal addresses match within an organisation and nowhere else."""

    def __init__(self, master_secret: bytes) -> None:
        self._master = master_secret

    def __call__(self, tenant_id: str, email: str) -> str:
        normal = email.strip().lower().encode()
        return hmac.new(self._key(tenant_id), normal, hashlib.sha256).hexdigest()

    @lru_cache(maxsize=1024)  # noqa: B019 - one index per process, bounded
    def _key(self, tenant_id: str) -> bytes:
        return derive_key(self._master, f"directory email index:{tenant_id}")


@dataclass(frozen=True)
class Opener:
    """What a reader of the directory needs: the sealer that opens, the index that finds."""

    sealer: Sealer
    index: EmailIndex

    @classmethod
    def of(cls, keyring: KeyRing, master_secret: bytes) -> Opener:
        return cls(Sealer(keyring), EmailIndex(master_secret))

    async def row(self, tenant_id: str, row: dict[str, Any]) -> dict[str, Any]:
        """``row`` with its name and address opened (None once the person is forgotten)."""
        for column in SEALED:
            if column in row:
                row[column] = await opened_or_none(self.sealer, tenant_id, row[column])
        return row
