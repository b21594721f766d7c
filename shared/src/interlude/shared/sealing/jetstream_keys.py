"""The :class:`~interlude.shared.sealing.keys.KeyStore` on a JetStream key-value bucket.

Why not ``js.create_key_value``: it makes the bucket's stream ``deny_delete``, and with
``history=1`` the old wrapped key is then only *dropped by the per-subject limit*, which leaves
its bytes in the stream's block file until the block is compacted. We create the stream
ourselves (same layout as a KV bucket, so ``js.key_value`` binds to it) with deletes allowed and
two revisions per key, put the tombstone first, then remove the wrapped key with
``delete_msg``, which the server does as a *secure erase* (it overwrites the record on disk).

A restored backup of the bucket must not bring an erased key back (ADR 0014): every destroy
first writes the subject into a *shred list*, a second bucket (``<bucket>_SHREDS``) that holds
ids only, is never deleted from, and is kept and restored apart from the keys; every process
re-applies it when it opens the store (:meth:`JetStreamKeyStore.ensure`), so a wrapped key that
reappeared is erased again before anything can be opened with it.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, StorageType, StreamConfig
from nats.js.errors import (
    APIError,
    KeyNotFoundError,
    KeyWrongLastSequenceError,
    NoKeysError,
    NotFoundError,
)
from nats.js.kv import KeyValue

from interlude.shared.sealing.keys import SHREDDED, check_token, check_wrapped

log = logging.getLogger(__name__)
DEFAULT_BUCKET = "SEALING_KEYS"
_BUCKET = re.compile(r"^[A-Za-z0-9_-]+$")
_HISTORY = 2  # a key is written once, so at most: the wrapped key and its tombstone


class JetStreamKeyStore:
    """Wrapped keys in the bucket ``bucket``, one entry per key ``<tenant>.<subject>``."""

    def __init__(self, js: JetStreamContext, bucket: str = DEFAULT_BUCKET,
                 replicas: int = 1) -> None:
        if not _BUCKET.match(bucket):
            raise ValueError(f"bucket {bucket!r} is not a valid bucket name")
        self._js, self.bucket, self._replicas = js, bucket, replicas
        self.stream = f"KV_{bucket}"
        self.shreds_bucket = shreds_bucket(bucket)
        self._kv: KeyValue | None = None
        self._shreds: KeyValue | None = None

    async def ensure(self) -> None:
        """Create the bucket and the shred list if absent (idempotent, safe to race), bind to
        them, and re-apply the shred list (see the module's doc)."""
        await self._ensure_keys()
        await self._ensure_shreds()
        again = await self.reapply_shreds()
        if again:
            log.warning("%d erased subjects' keys were back in %s (a restored backup?) and "
                        "were erased again", again, self.bucket)

    async def _ensure_keys(self) -> None:
        # no roll-ups and no purge: both would drop a key without erasing it (and a purge
        # would also drop tombstones); deletes are allowed, for the secure erase in destroy
        config = StreamConfig(
            name=self.stream, subjects=[f"$KV.{self.bucket}.>"], storage=StorageType.FILE,
            num_replicas=self._replicas, max_msgs_per_subject=_HISTORY, max_msgs=-1,
            max_consumers=-1, discard=DiscardPolicy.NEW, duplicate_window=120.0,
            allow_rollup_hdrs=False, allow_direct=True, deny_delete=False, deny_purge=True)
        try:
            await self._js.stream_info(self.stream)
        except NotFoundError:
            await self._js.add_stream(config)  # same config twice is accepted: racing is fine
        info = await self._js.stream_info(self.stream)
        if info.config.deny_delete or (info.config.max_msgs_per_subject or 0) < _HISTORY:
            # e.g. made by create_key_value: shredded keys could not be erased from disk
            raise RuntimeError(f"stream {self.stream} cannot erase keys: recreate it")
        self._kv = await self._js.key_value(self.bucket)

    async def _ensure_shreds(self) -> None:
        # ids only, one entry per forgotten subject, never deleted or purged
        name = f"KV_{self.shreds_bucket}"
        config = StreamConfig(
            name=name, subjects=[f"$KV.{self.shreds_bucket}.>"],
            storage=StorageType.FILE, num_replicas=self._replicas, max_msgs_per_subject=1,
            max_msgs=-1, max_consumers=-1, discard=DiscardPolicy.NEW, duplicate_window=120.0,
            allow_rollup_hdrs=False, allow_direct=True, deny_delete=True, deny_purge=True)
        try:
            await self._js.stream_info(name)
        except NotFoundError:
            await self._js.add_stream(config)
        self._shreds = await self._js.key_value(self.shreds_bucket)

    async def shredded(self) -> list[tuple[str, str]]:
        """Every (tenant, subject) in the shred list."""
        if self._shreds is None:
            await self.ensure()
        assert self._shreds is not None
        try:
            keys = await self._shreds.keys()
        except NoKeysError:
            return []
        return [(tenant, subject) for tenant, _, subject in (k.partition(".") for k in keys)]

    async def reapply_shreds(self) -> int:
        """Erase again every key of the shred list that is back in the bucket (a restored
        backup); return how many were."""
        again = 0
        for tenant, subject in await self.shredded():
            if await self.get(tenant, subject) not in (None, SHREDDED):
                await self.destroy(tenant, subject)
                again += 1
        return again

    async def _bucket(self) -> KeyValue:
        if self._kv is None:
            await self.ensure()
        assert self._kv is not None
        return self._kv

    async def get(self, tenant: str, subject: str) -> bytes | None:
        kv = await self._bucket()
        try:
            entry = await kv.get(_key(tenant, subject))
        except KeyNotFoundError:
            return None
        return entry.value

    async def create(self, tenant: str, subject: str, wrapped: bytes) -> bytes:
        check_wrapped(wrapped)
        kv, key = await self._bucket(), _key(tenant, subject)
        while True:
            try:
                await kv.create(key, wrapped)  # publish expecting no earlier revision
                return wrapped
            except KeyWrongLastSequenceError:
                stored = await self.get(tenant, subject)  # somebody was first: theirs wins
                if stored is not None:
                    return stored

    async def destroy(self, tenant: str, subject: str) -> None:
        kv, key = await self._bucket(), _key(tenant, subject)
        assert self._shreds is not None
        # the shred list first: a destroy that crashes halfway is finished at the next start
        await self._shreds.put(key, datetime.now(UTC).isoformat().encode())
        tombstone = await self._put_tombstone(kv, key)
        await self._erase_older(f"$KV.{self.bucket}.{key}", tombstone)

    async def _put_tombstone(self, kv: KeyValue, key: str) -> int:
        """Make the tombstone the latest revision (compare-and-set); return its sequence."""
        while True:
            try:
                entry = await kv.get(key)
            except KeyNotFoundError:
                last = 0
            else:
                assert entry.revision is not None
                if entry.value == SHREDDED:
                    return entry.revision
                last = entry.revision
            try:
                return await kv.update(key, SHREDDED, last=last)
            except KeyWrongLastSequenceError:
                continue  # a key was created meanwhile: tombstone that one instead

    async def _erase_older(self, subject: str, tombstone: int) -> None:
        """Securely delete every earlier message of the key; also finishes a crashed destroy."""
        while (seq := await self._first_seq(subject)) is not None and seq < tombstone:
            try:
                await self._js.delete_msg(self.stream, seq)  # secure erase by default
            except APIError:
                # gone already (a racing destroyer) is fine; still there is a real failure
                if await self._first_seq(subject) == seq:
                    raise

    async def _first_seq(self, subject: str) -> int | None:
        try:
            msg = await self._js.get_msg(self.stream, seq=1, subject=subject, next=True)
        except NotFoundError:
            return None
        return msg.seq

async def open_key_store(js: JetStreamContext, replicas: int = 1,
                         bucket: str = DEFAULT_BUCKET) -> JetStreamKeyStore:
    """A key store on ``bucket``, created if absent."""
    store = JetStreamKeyStore(js, bucket=bucket, replicas=replicas)
    await store.ensure()
    return store


def shreds_bucket(bucket: str) -> str:
    """The shred list's bucket beside the key bucket ``bucket``."""
    return f"{bucket}_SHREDS"


def _key(tenant: str, subject: str) -> str:
    return f"{check_token(tenant, 'tenant')}.{check_token(subject, 'subject')}"
