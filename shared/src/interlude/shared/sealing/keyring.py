"""Data keys of data subjects: created on first use, wrapped at rest, cached unwrapped in memory.

Each subject of each organisation has its own random 256-bit data key. At rest it is wrapped
(AES-256-GCM) by the organisation key, ``HKDF-SHA256(master_secret, info="interlude-org-key:" +
tenant)``, so the key store alone reveals nothing and one organisation's keys are useless to
another. Shredding destroys the wrapped key; every ciphertext under it becomes noise.

A *scoped* subject, ``<subject>-<scope>`` (:func:`scoped`; ids never hold a ``-``), has a key of
its own wrapped under one derived from its parent's data key: shredding the scope (a contract's
content, at the end of its retention) leaves the person's other data alone, and shredding the
person shreds every scope of theirs at once, with nothing else to find or destroy.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from interlude.shared.sealing.errors import SealError
from interlude.shared.sealing.keys import SHREDDED, KeyStore, check_token

_NONCE = 12
SCOPE = "-"


def scoped(subject: str, scope: str) -> str:
    """The subject of ``subject``'s data within ``scope`` (e.g. one contract)."""
    return f"{check_token(subject, 'subject')}{SCOPE}{check_token(scope, 'scope')}"


@dataclass(frozen=True, slots=True)
class _Cached:
    key: bytes | None  # None: the subject is shredded (permanent, so worth remembering)
    aead: AESGCM | None
    expires: float


class KeyRing:
    """The data keys of subjects, from ``store``, wrapped under keys derived from ``master_secret``.

    Unwrapped keys are kept in a bounded LRU cache so that warm seal/open costs no I/O. Another
    process learns of a shred from the ``SubjectForgotten`` event and calls :meth:`evict`; until
    then cache entries also expire after ``ttl_s`` (default 60 s), so a forgotten key cannot
    live on for long in a process that missed the event.
    """

    def __init__(self, store: KeyStore, master_secret: bytes, *, max_entries: int = 10_000,
                 ttl_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        if len(master_secret) < 32:
            raise ValueError("the master secret must be at least 32 bytes")
        self._store, self._master = store, master_secret
        self._max, self._ttl, self._clock = max_entries, ttl_s, clock
        self._cache: OrderedDict[tuple[str, str], _Cached] = OrderedDict()
        self._epoch = 0  # bumped by every evict: a lookup racing an evict must not re-cache

    async def data_key(self, tenant: str, subject: str, create: bool) -> bytes | None:
        """The subject's 32-byte AES key; created (and stored wrapped) if absent and ``create``.

        None when the subject is shredded, or has no key and ``create`` is False.
        """
        entry = await self._lookup(tenant, subject, create)
        return None if entry is None else entry.key

    async def cipher(self, tenant: str, subject: str, create: bool) -> AESGCM | None:
        """Like :meth:`data_key`, as a ready AES-GCM object (the sealer's hot path)."""
        entry = await self._lookup(tenant, subject, create)
        return None if entry is None else entry.aead

    async def shred(self, tenant: str, subject: str) -> None:
        """Destroy the subject's key for good (in the store, then in this process's cache)."""
        await self._store.destroy(tenant, subject)
        self.evict(tenant, subject)

    def evict(self, tenant: str, subject: str) -> None:
        """Forget the cached key (and those of the subject's scopes), e.g. on
        ``SubjectForgotten`` shredded by another process."""
        self._epoch += 1
        self._cache.pop((tenant, subject), None)
        prefix = subject + SCOPE
        for slot in [s for s in self._cache if s[0] == tenant and s[1].startswith(prefix)]:
            del self._cache[slot]

    async def _lookup(self, tenant: str, subject: str, create: bool) -> _Cached | None:
        slot = (tenant, subject)
        hit = self._cache.get(slot)  # what is cached was checked when it was cached
        if hit is not None:
            if hit.expires > self._clock():
                self._cache.move_to_end(slot)
                return hit
            del self._cache[slot]
        check_token(tenant, "tenant")
        check_token(subject, "subject")
        epoch = self._epoch
        parent: _Cached | None = None
        if SCOPE in subject:  # a scope: no key without its parent's
            parent = await self._lookup(tenant, subject.split(SCOPE, 1)[0], create)
            if parent is None or parent.key is None:
                return None
        wrapping = self._org_key(tenant) if parent is None else self._scope_key(parent, subject)
        stored = await self._store.get(tenant, subject)
        if stored is None and create:
            wrapped = self._wrap(wrapping, tenant, subject, AESGCM.generate_key(bit_length=256))
            stored = await self._store.create(tenant, subject, wrapped)  # racing: first wins
        if stored is None:
            return None  # not cached: another process may create the key any moment
        expires = self._clock() + self._ttl
        if parent is not None:  # lives no longer than its parent's in this cache
            expires = min(expires, parent.expires)
        if stored == SHREDDED:
            entry = _Cached(None, None, expires)
        else:
            key = self._unwrap(wrapping, tenant, subject, stored)
            entry = _Cached(key, AESGCM(key), expires)
        if epoch == self._epoch:
            self._cache[slot] = entry
            if len(self._cache) > self._max:
                self._cache.popitem(last=False)
        return entry if entry.key is not None else None

    def _org_key(self, tenant: str) -> AESGCM:
        hkdf = HKDF(algorithm=SHA256(), length=32, salt=None,
                    info=b"interlude-org-key:" + tenant.encode())
        return AESGCM(hkdf.derive(self._master))

    @staticmethod
    def _scope_key(parent: _Cached, subject: str) -> AESGCM:
        assert parent.key is not None
        hkdf = HKDF(algorithm=SHA256(), length=32, salt=None,
                    info=b"interlude-scope-key:" + subject.encode())
        return AESGCM(hkdf.derive(parent.key))

    @staticmethod
    def _wrap(wrapping: AESGCM, tenant: str, subject: str, key: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + wrapping.encrypt(nonce, key, _slot_aad(tenant, subject))

    @staticmethod
    def _unwrap(wrapping: AESGCM, tenant: str, subject: str, wrapped: bytes) -> bytes:
        try:
            key = wrapping.decrypt(wrapped[:_NONCE], wrapped[_NONCE:],
                                   _slot_aad(tenant, subject))
        except InvalidTag:
            raise SealError(f"the key of {tenant}/{subject} does not unwrap: wrong master "
                            "secret or a key copied from another slot") from None
        if len(key) != 32:
            raise SealError(f"the key of {tenant}/{subject} has a wrong length")
        return key


def _slot_aad(tenant: str, subject: str) -> bytes:
    # binds a wrapped key to its slot: copied to another subject's slot, it does not unwrap
    return f"interlude-key:{tenant}.{subject}".encode()
