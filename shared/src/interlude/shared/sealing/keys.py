"""Where wrapped data keys live: the :class:`KeyStore` port and its in-memory fake.

A store holds one value per (tenant, subject): the subject's data key wrapped by the
organisation key, or :data:`SHREDDED` once the subject was forgotten. The tombstone is kept
forever, so a forgotten subject can never be given a fresh key by a late or racing writer.
"""

from __future__ import annotations

import asyncio
import re
from typing import Final, Protocol

SHREDDED: Final = b"shredded"
"""The tombstone ``get`` returns for a subject whose key was destroyed (None = never had one)."""

_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


def check_token(value: str, what: str) -> str:
    """Tenant and subject ids become key-value key tokens: no dots, wildcards or spaces."""
    if not isinstance(value, str) or not _TOKEN.match(value):
        raise ValueError(f"{what} {value!r} is not a valid token ([A-Za-z0-9_-]+)")
    return value


class KeyStore(Protocol):
    """The storage port for wrapped data keys, one per (tenant, subject)."""

    async def get(self, tenant: str, subject: str) -> bytes | None:
        """The wrapped key, :data:`SHREDDED`, or None if the subject never had a key."""
        ...

    async def create(self, tenant: str, subject: str, wrapped: bytes) -> bytes:
        """Store ``wrapped`` if the slot is empty and return what is stored now.

        Racing creators all get the first stored value back (so all end with one key); a
        shredded subject gets :data:`SHREDDED` back and no key is stored.
        """
        ...

    async def destroy(self, tenant: str, subject: str) -> None:
        """Replace the key with the tombstone and erase the wrapped key (idempotent)."""
        ...


class InMemoryKeyStore:
    """A :class:`KeyStore` in a dict: the fake for unit tests (one process, nothing durable)."""

    def __init__(self) -> None:
        self._slots: dict[tuple[str, str], bytes] = {}

    async def get(self, tenant: str, subject: str) -> bytes | None:
        await asyncio.sleep(0)  # behave like I/O: let other tasks interleave
        return self._slots.get(_slot(tenant, subject))

    async def create(self, tenant: str, subject: str, wrapped: bytes) -> bytes:
        check_wrapped(wrapped)
        await asyncio.sleep(0)
        # no await between the check and the set: this is the atomic compare-and-set
        return self._slots.setdefault(_slot(tenant, subject), wrapped)

    async def destroy(self, tenant: str, subject: str) -> None:
        await asyncio.sleep(0)
        self._slots[_slot(tenant, subject)] = SHREDDED


def _slot(tenant: str, subject: str) -> tuple[str, str]:
    return check_token(tenant, "tenant"), check_token(subject, "subject")


def check_wrapped(wrapped: bytes) -> None:
    """Refuse to store the tombstone or nothing as a key."""
    # a caller storing the tombstone (or nothing) as a key would silently shred the subject
    if not wrapped or wrapped == SHREDDED:
        raise ValueError("not a wrapped key")
