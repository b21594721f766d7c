"""Sealing with the in-memory key store: secrets never leak, shredding erases, moves fail."""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import os
import pickle
import stat

import pytest
from pydantic import BaseModel, ValidationError

from interlude.shared.sealing import (
    ERASED_TEXT,
    SHREDDED,
    InMemoryKeyStore,
    KeyRing,
    Sealer,
    SealError,
    Secret,
    SubjectErasedError,
    is_sealed,
    load_or_create_master_secret,
    master_secret_from,
)
from interlude.shared.sealing.keyring import scoped

MASTER = bytes(range(32))
PLAIN = "I feel stuck with my manager"


class Note(BaseModel):
    text: Secret
    extra: Secret | None = None


class CountingStore(InMemoryKeyStore):
    """The fake, counting the calls that would be I/O on a real store."""

    def __init__(self) -> None:
        super().__init__()
        self.gets = 0

    async def get(self, tenant: str, subject: str) -> bytes | None:
        self.gets += 1
        return await super().get(tenant, subject)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(store: InMemoryKeyStore | None = None, **kwargs) -> tuple[Sealer, KeyRing]:
    ring = KeyRing(store or InMemoryKeyStore(), MASTER, **kwargs)
    return Sealer(ring), ring


def test_secret_never_shows_its_value():
    s = Secret(PLAIN, "u1")
    for shown in (repr(s), str(s), f"{s}", json.dumps(Note(text=s).model_dump(mode="json")),
                  Note(text=s).model_dump_json(), repr(Note(text=s))):
        assert PLAIN not in shown
    assert repr(s) == "Secret(subject='u1', ***)"
    assert Note(text=s).model_dump(mode="json") == {"text": "***", "extra": None}
    assert s.reveal() == PLAIN and s.subject == "u1" and not s.is_erased


def test_secret_is_an_immutable_value():
    s = Secret(PLAIN, "u1")
    assert s == Secret(PLAIN, "u1") and hash(s) == hash(Secret(PLAIN, "u1"))
    assert s != Secret(PLAIN, "u2") and s != Secret("other", "u1")
    with pytest.raises(AttributeError):
        s._value = "x"
    assert copy.deepcopy(s) == s and pickle.loads(pickle.dumps(s)) == s
    erased = Secret.erased("u1")
    assert erased.is_erased and erased.reveal() == ERASED_TEXT
    assert erased != Secret(ERASED_TEXT, "u1") and copy.deepcopy(erased) == erased


def test_pydantic_field_accepts_only_secrets_and_round_trips_in_python_mode():
    note = Note(text=Secret(PLAIN, "u1"), extra=Secret("b", "u2"))
    dumped = note.model_dump()
    assert dumped["text"] is note.text and isinstance(dumped["extra"], Secret)
    assert Note.model_validate(dumped) == note
    assert Note(text=Secret("a", "u1")).extra is None
    with pytest.raises(ValidationError):
        Note(text=PLAIN)  # type: ignore[arg-type]
    assert Note.model_json_schema()["properties"]["text"]["type"] == "string"


async def test_seal_and_open_round_trip_without_plaintext_in_the_sealed_form():
    sealer, _ = make()
    sealed = await sealer.seal(Secret(PLAIN, "u1"), tenant="org1", event_id="e1", field="text")
    assert is_sealed(sealed) and sealed["$sealed"] == 1 and sealed["sub"] == "u1"
    assert set(sealed) == {"$sealed", "sub", "ct"}
    assert PLAIN not in json.dumps(sealed)
    opened = await sealer.open(sealed, tenant="org1", event_id="e1", field="text")
    assert opened == Secret(PLAIN, "u1")
    again = await sealer.seal(Secret(PLAIN, "u1"), tenant="org1", event_id="e1", field="text")
    assert again["ct"] != sealed["ct"]  # fresh nonce each time
    assert not is_sealed(PLAIN) and not is_sealed({"sub": "u1"})


@pytest.mark.parametrize("where", [
    {"tenant": "org1", "event_id": "e2", "field": "text"},
    {"tenant": "org1", "event_id": "e1", "field": "body"},
    {"tenant": "org2", "event_id": "e1", "field": "text"},
])
async def test_moved_ciphertext_raises_seal_error(where):
    sealer, ring = make()
    sealed = await sealer.seal(Secret(PLAIN, "u1"), tenant="org1", event_id="e1", field="text")
    await ring.data_key("org2", "u1", create=True)  # u1 has a key in org2 as well
    with pytest.raises(SealError):
        await sealer.open(sealed, **where)


@pytest.mark.parametrize("field", ["text", "items.0.body", 'a "quoted" \\ path', "tab\there",
                                   "caf\u00e9", "\u96ea.0"])
async def test_what_was_sealed_before_still_opens_where_it_was_sealed(field):
    """The associated data is the compact JSON array it always was: a value stored by an
    earlier version (its AAD made by ``json.dumps``) opens, in place and nowhere else."""
    sealer, ring = make()
    aead = await ring.cipher("org1", "u1", create=True)
    assert aead is not None
    nonce = os.urandom(12)
    aad = json.dumps(["interlude-seal", 1, "org1", "u1", "e1", field],
                     separators=(",", ":")).encode()
    sealed = {"$sealed": 1, "sub": "u1", "ct": base64.b64encode(
        nonce + aead.encrypt(nonce, PLAIN.encode(), aad)).decode()}
    opened = await sealer.open(sealed, tenant="org1", event_id="e1", field=field)
    assert opened == Secret(PLAIN, "u1")
    again = await sealer.seal(Secret(PLAIN, "u1"), tenant="org1", event_id="e1", field=field)
    assert await sealer.open(again, tenant="org1", event_id="e1", field=field) == opened
    with pytest.raises(SealError):
        await sealer.open(sealed, tenant="org1", event_id="e1", field=field + "x")


async def test_tampered_or_malformed_sealed_values_raise_seal_error():
    sealer, ring = make()
    sealed = await sealer.seal(Secret(PLAIN, "u1"), tenant="org1", event_id="e1", field="text")
    await ring.data_key("org1", "u2", create=True)
    bad = [{**sealed, "sub": "u2"}, {**sealed, "ct": sealed["ct"][:-4] + "AAAA"},
           {**sealed, "ct": "not base64!"}, {"$sealed": 1, "sub": "u1"}, {"$sealed": 2}]
    for value in bad:
        with pytest.raises(SealError):
            await sealer.open(value, tenant="org1", event_id="e1", field="text")


async def test_after_shred_open_gives_erased_and_no_new_key_is_ever_made():
    sealer, ring = make()
    sealed = await sealer.seal(Secret(PLAIN, "u1"), tenant="org1", event_id="e1", field="text")
    await ring.shred("org1", "u1")
    opened = await sealer.open(sealed, tenant="org1", event_id="e1", field="text")
    assert opened.is_erased and opened.subject == "u1" and opened.reveal() == ERASED_TEXT
    assert await ring.data_key("org1", "u1", create=True) is None
    with pytest.raises(SubjectErasedError):
        await sealer.seal(Secret("new", "u1"), tenant="org1", event_id="e2", field="text")
    with pytest.raises(SubjectErasedError):
        await sealer.seal(Secret.erased("u2"), tenant="org1", event_id="e2", field="text")


async def test_shred_in_another_process_is_seen_after_evict():
    store = InMemoryKeyStore()
    (sealer_a, ring_a), (sealer_b, ring_b) = make(store), make(store)
    sealed = await sealer_a.seal(Secret(PLAIN, "u1"), tenant="org1", event_id="e1", field="t")
    assert (await sealer_b.open(sealed, tenant="org1", event_id="e1", field="t")).reveal() == PLAIN
    await ring_a.shred("org1", "u1")
    ring_b.evict("org1", "u1")  # what B does on SubjectForgotten
    assert (await sealer_b.open(sealed, tenant="org1", event_id="e1", field="t")).is_erased


async def test_open_with_no_key_at_all_gives_erased():
    sealer, _ = make()
    other, _ = make()
    sealed = await other.seal(Secret(PLAIN, "u1"), tenant="org1", event_id="e1", field="t")
    assert (await sealer.open(sealed, tenant="org1", event_id="e1", field="t")).is_erased


async def test_racing_keyrings_end_with_one_key():
    store = InMemoryKeyStore()
    rings = [KeyRing(store, MASTER) for _ in range(2)]
    keys = await asyncio.gather(*(r.data_key("org1", "u1", create=True) for r in rings))
    assert keys[0] is not None and len(keys[0]) == 32 and keys[0] == keys[1]
    assert await store.get("org1", "u1") not in (None, SHREDDED)
    assert await rings[0].data_key("org1", "u2", create=False) is None


async def test_keys_are_wrapped_at_rest_per_organisation():
    store = InMemoryKeyStore()
    ring = KeyRing(store, MASTER)
    key = await ring.data_key("org1", "u1", create=True)
    assert key is not None
    wrapped = await store.get("org1", "u1")
    assert wrapped is not None and key not in wrapped
    await store.create("org2", "u1", wrapped)  # a wrapped key copied to another organisation
    with pytest.raises(SealError):
        await ring.data_key("org2", "u1", create=False)
    with pytest.raises(SealError):  # a wrong master secret does not unwrap
        await KeyRing(store, bytes(32)).data_key("org1", "u1", create=False)


async def test_warm_cache_costs_no_io_and_expires_after_the_ttl():
    store, clock = CountingStore(), Clock()
    sealer, _ = make(store, ttl_s=60.0, clock=clock)
    sealed = await sealer.seal(Secret(PLAIN, "u1"), tenant="org1", event_id="e1", field="t")
    gets = store.gets
    for _ in range(5):
        await sealer.open(sealed, tenant="org1", event_id="e1", field="t")
    assert store.gets == gets
    await store.destroy("org1", "u1")  # shredded by another process that sends no evict
    clock.now += 59
    assert not (await sealer.open(sealed, tenant="org1", event_id="e1", field="t")).is_erased
    clock.now += 2
    assert (await sealer.open(sealed, tenant="org1", event_id="e1", field="t")).is_erased


async def test_cache_is_bounded():
    store = CountingStore()
    ring = KeyRing(store, MASTER, max_entries=2)
    for subject in ("u1", "u2", "u3"):
        await ring.data_key("org1", subject, create=True)
    gets = store.gets
    await ring.data_key("org1", "u3", create=False)
    assert store.gets == gets
    await ring.data_key("org1", "u1", create=False)  # the least recently used went
    assert store.gets == gets + 1


async def test_invalid_tokens_are_refused():
    ring = KeyRing(InMemoryKeyStore(), MASTER)
    for tenant, subject in (("org.1", "u1"), ("org1", "u*"), ("", "u1"), ("org1", "u 1")):
        with pytest.raises(ValueError):
            await ring.data_key(tenant, subject, create=True)


def test_master_secret_file_is_created_0600_once_and_checked(tmp_path):
    path = tmp_path / "keys" / "master.key"
    first = load_or_create_master_secret(path)
    assert len(first) == 32 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_master_secret(path) == first
    assert [p.name for p in path.parent.iterdir()] == ["master.key"]
    path.write_bytes(b"short")
    with pytest.raises(ValueError, match="expected 32"):
        load_or_create_master_secret(path)
    assert path.read_bytes() == b"short"


def test_master_secret_from_hex_or_base64():
    import base64

    assert master_secret_from(MASTER.hex()) == MASTER
    assert master_secret_from(base64.b64encode(MASTER).decode()) == MASTER
    assert master_secret_from(base64.urlsafe_b64encode(MASTER).decode().rstrip("=")) == MASTER
    for bad in ("abc", base64.b64encode(b"x" * 16).decode(), "zz" * 32):
        with pytest.raises(ValueError):
            master_secret_from(bad)


async def test_a_scope_is_shredded_alone_and_with_its_person():
    """A contract's content key is a scope of the coachee's: shredding the scope leaves the
    person and their other scopes readable; shredding the person makes every scope of theirs
    unreadable at once, in a process that never saw the shred too (nothing else to destroy)."""
    store = InMemoryKeyStore()
    ring = KeyRing(store, MASTER)
    sealer = Sealer(ring)
    one, two = scoped("u1", "c1"), scoped("u1", "c2")
    sealed = {subject: await sealer.seal(Secret(PLAIN, subject), tenant="org1", event_id="e",
                                         field="t") for subject in ("u1", one, two)}
    assert len({await ring.data_key("org1", s, create=False) for s in sealed}) == 3

    await ring.shred("org1", one)
    opened = {s: (await sealer.open(v, tenant="org1", event_id="e", field="t")).is_erased
              for s, v in sealed.items()}
    assert opened == {"u1": False, one: True, two: False}

    await KeyRing(store, MASTER).shred("org1", "u1")  # another process forgets the person
    fresh = Sealer(KeyRing(store, MASTER))
    assert (await fresh.open(sealed[two], tenant="org1", event_id="e", field="t")).is_erased
    ring.evict("org1", "u1")  # this one learns of it: its cached scopes go too
    assert (await sealer.open(sealed[two], tenant="org1", event_id="e", field="t")).is_erased
    with pytest.raises(SubjectErasedError):  # nothing new under a forgotten person
        await sealer.seal(Secret(PLAIN, scoped("u1", "c3")), tenant="org1", event_id="e",
                          field="t")


async def test_a_scope_key_copied_under_another_person_does_not_unwrap():
    store = InMemoryKeyStore()
    ring = KeyRing(store, MASTER)
    await ring.data_key("org1", scoped("u1", "c1"), create=True)
    await ring.data_key("org1", "u2", create=True)
    wrapped = await store.get("org1", scoped("u1", "c1"))
    assert wrapped is not None
    await store.create("org1", scoped("u2", "c1"), wrapped)
    with pytest.raises(SealError):
        await KeyRing(store, MASTER).data_key("org1", scoped("u2", "c1"), create=False)
