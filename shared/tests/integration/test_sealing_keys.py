"""The KeyStore contract, run against the in-memory fake and JetStream on a real nats-server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest
from nats.js.errors import NotFoundError

from interlude.shared.sealing import (
    SHREDDED,
    InMemoryKeyStore,
    JetStreamKeyStore,
    KeyRing,
    KeyStore,
    Sealer,
    Secret,
    open_key_store,
)
from interlude.shared.sealing.jetstream_keys import shreds_bucket
from interlude.shared.stack.nats import start_nats
from interlude.shared.stack.ports import free_port


@pytest.fixture(params=["memory", "jetstream"])
async def store(request, nc, namespace) -> AsyncIterator[KeyStore]:
    if request.param == "memory":
        yield InMemoryKeyStore()
        return
    js = nc.jetstream()
    yield await open_key_store(js, bucket=f"SEALING_KEYS_{namespace}")
    await _drop(js, f"SEALING_KEYS_{namespace}")


async def _drop(js, bucket: str) -> None:
    """Delete a key bucket and its shred list (the test's own)."""
    for stream in (f"KV_{bucket}", f"KV_{shreds_bucket(bucket)}"):
        with contextlib.suppress(NotFoundError):
            await js.delete_stream(stream)


async def test_unknown_subject_has_no_key(store):
    assert await store.get("org1", "u1") is None


async def test_create_is_idempotent_and_racing_safe(store):
    results = await asyncio.gather(store.create("org1", "u1", b"key-a"),
                                   store.create("org1", "u1", b"key-b"))
    assert results[0] == results[1] and results[0] in (b"key-a", b"key-b")
    assert await store.get("org1", "u1") == results[0]
    assert await store.create("org1", "u1", b"key-c") == results[0]
    assert await store.get("org1", "u2") is None  # other subjects are untouched
    assert await store.get("org2", "u1") is None  # and so are other tenants


async def test_destroy_leaves_a_tombstone_for_good(store):
    await store.create("org1", "u1", b"key-a")
    await store.destroy("org1", "u1")
    assert await store.get("org1", "u1") == SHREDDED
    assert await store.create("org1", "u1", b"key-b") == SHREDDED
    await store.destroy("org1", "u1")  # idempotent
    assert await store.get("org1", "u1") == SHREDDED


async def test_destroy_of_a_subject_that_never_had_a_key(store):
    await store.destroy("org1", "u9")
    assert await store.get("org1", "u9") == SHREDDED
    assert await store.create("org1", "u9", b"key") == SHREDDED


async def test_racing_destroy_and_create_end_shredded(store):
    await asyncio.gather(store.destroy("org1", "u1"), store.create("org1", "u1", b"k"),
                         store.destroy("org1", "u1"))
    assert await store.get("org1", "u1") == SHREDDED


async def test_invalid_tokens_are_refused(store):
    with pytest.raises(ValueError):
        await store.get("org.1", "u1")
    with pytest.raises(ValueError):
        await store.create("org1", "u>", b"k")


async def test_sealing_end_to_end_on_jetstream(nc, namespace):
    js = nc.jetstream()
    store = await open_key_store(js, bucket=f"SEALING_KEYS_{namespace}")
    rings = [KeyRing(store, bytes(32)), KeyRing(store, bytes(32))]
    keys = await asyncio.gather(*(r.data_key("org1", "u1", create=True) for r in rings))
    assert keys[0] is not None and keys[0] == keys[1]
    sealer = Sealer(rings[0])
    sealed = await sealer.seal(Secret("hello", "u1"), tenant="org1", event_id="e", field="f")
    await rings[1].shred("org1", "u1")
    rings[0].evict("org1", "u1")
    assert (await sealer.open(sealed, tenant="org1", event_id="e", field="f")).is_erased
    await _drop(js, f"SEALING_KEYS_{namespace}")


async def test_a_restored_backup_of_the_keys_does_not_bring_an_erased_subject_back(
        nc, namespace):
    """The key bucket is lost after an erasure and restored from a backup taken before it:
    the forgotten subject's wrapped key is back in the bucket, but the next process to open
    the store erases it again from the shred list before anything is opened with it."""
    js, bucket = nc.jetstream(), f"SEALING_KEYS_{namespace}"
    store = await open_key_store(js, bucket=bucket)
    sealer = Sealer(KeyRing(store, bytes(32)))
    worry = await sealer.seal(Secret("my private worry", "u1"), tenant="org1", event_id="e",
                              field="f")
    other = await sealer.seal(Secret("someone else's", "u2"), tenant="org1", event_id="e",
                              field="g")
    kv = await js.key_value(bucket)
    backup = {key: (await kv.get(key)).value for key in await kv.keys()}  # before the erasure
    await KeyRing(store, bytes(32)).shred("org1", "u1")

    await js.delete_stream(store.stream)  # the bucket is lost...
    await JetStreamKeyStore(js, bucket=bucket).ensure()
    restored = await js.key_value(bucket)
    for key, value in backup.items():  # ...and restored from the backup
        await restored.put(key, value)
    assert (await restored.get("org1.u1")).value == backup["org1.u1"] != SHREDDED

    started = await open_key_store(js, bucket=bucket)  # the next process to start
    assert await started.get("org1", "u1") == SHREDDED
    opener = Sealer(KeyRing(started, bytes(32)))
    assert (await opener.open(worry, tenant="org1", event_id="e", field="f")).is_erased
    assert (await opener.open(other, tenant="org1", event_id="e", field="g")).reveal() \
        == "someone else's"
    assert await started.shredded() == [("org1", "u1")]
    await _drop(js, bucket)


async def test_jetstream_destroy_leaves_no_wrapped_key_in_the_stream(nc, namespace):
    js = nc.jetstream()
    store = await open_key_store(js, bucket=f"SEALING_KEYS_{namespace}")
    wrapped = os.urandom(60)
    assert await store.create("org1", "u1", wrapped) == wrapped
    await store.create("org1", "u2", b"other")
    await store.destroy("org1", "u1")
    info = await js.stream_info(store.stream)
    assert info.state.first_seq is not None and info.state.last_seq is not None
    seen = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            seen.append((await js.get_msg(store.stream, seq=seq)).data or b"")
        except NotFoundError:
            continue
    assert not any(wrapped in data for data in seen)
    assert sorted(seen) == [b"other", SHREDDED]
    await _drop(js, store.bucket)


async def test_a_bucket_that_cannot_erase_is_refused(nc, namespace):
    js = nc.jetstream()
    await js.create_key_value(bucket=f"SEALING_KEYS_{namespace}", history=1)  # deny_delete
    with pytest.raises(RuntimeError, match="cannot erase"):
        await open_key_store(js, bucket=f"SEALING_KEYS_{namespace}")
    await js.delete_key_value(f"SEALING_KEYS_{namespace}")


async def test_shredded_key_bytes_are_erased_from_disk():
    """On a server of our own, whose store directory we can read: the wrapped key's bytes are
    overwritten in the block file (secure erase), not merely marked deleted."""
    root = Path(tempfile.mkdtemp(prefix="sealing-disk-"))
    server = start_nats(root / "nats", port=free_port(), monitor_port=free_port(),
                        sync_always=False)
    try:
        conn = await nats.connect(server.url)
        store = JetStreamKeyStore(conn.jetstream())
        wrapped, kept = os.urandom(60), os.urandom(60)
        await store.create("org1", "u1", wrapped)
        await store.create("org1", "u2", kept)
        assert _files_containing(server.store_dir, wrapped)
        await store.destroy("org1", "u1")
        await conn.close()
        assert _files_containing(server.store_dir, kept)
        assert not _files_containing(server.store_dir, wrapped)
        server.stop()
        assert not _files_containing(server.store_dir, wrapped)  # nor after a clean shutdown
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]
