"""Signed checkpoints: their fields, their signed bytes, Ed25519 signatures and key ids."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from interlude.audit.domain.checkpoint import (
    CHECKPOINT_TYPE,
    GENESIS_HEX,
    Checkpoint,
    key_id,
    sign,
    signing_bytes,
    verify_signature,
)

KEY = Ed25519PrivateKey.generate()


def checkpoint(**changes) -> Checkpoint:
    fields = dict(tenant_id="org-1", size=50, merkle_root="ab" * 32, chain_head="cd" * 32,
                  lower_bound=1, issued_at="2026-11-22T09:00:00+00:00",
                  key_id=key_id(KEY.public_key()))
    return Checkpoint(**{**fields, **changes})


def test_key_id_is_the_start_of_the_public_key_digest():
    raw = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert key_id(KEY.public_key()) == hashlib.sha256(raw).hexdigest()[:16]


def test_a_signed_checkpoint_verifies_with_its_public_key():
    signature = sign(checkpoint(), KEY)
    assert len(signature) == 64
    assert verify_signature(checkpoint(), signature, KEY.public_key())


@pytest.mark.parametrize("change", [
    {"size": 51}, {"merkle_root": "ef" * 32}, {"chain_head": "00" * 32},
    {"issued_at": "2026-11-22T09:00:01+00:00"}, {"tenant_id": "org-2"},
    {"lower_bound": 2, "anchor": "11" * 32},
])
def test_any_changed_field_breaks_the_signature(change):
    signature = sign(checkpoint(), KEY)
    assert not verify_signature(checkpoint(**change), signature, KEY.public_key())


def test_another_key_does_not_verify_and_cannot_sign_in_this_keys_name():
    other = Ed25519PrivateKey.generate()
    signature = sign(checkpoint(), KEY)
    assert not verify_signature(checkpoint(), signature, other.public_key())
    forged = other.sign(signing_bytes(checkpoint()))
    assert not verify_signature(checkpoint(), forged, KEY.public_key())
    with pytest.raises(ValueError):
        sign(checkpoint(), other)


def test_a_mangled_signature_does_not_verify():
    signature = bytearray(sign(checkpoint(), KEY))
    signature[10] ^= 1
    assert not verify_signature(checkpoint(), bytes(signature), KEY.public_key())
    assert not verify_signature(checkpoint(), b"", KEY.public_key())


def test_the_signed_bytes_are_canonical_json_with_a_type():
    data = signing_bytes(checkpoint())
    assert json.loads(data) == {"type": CHECKPOINT_TYPE, **checkpoint().as_dict()}
    assert data.startswith(b'{"anchor":"' + GENESIS_HEX.encode() + b'","chain_head":')
    assert b" " not in data


def test_a_checkpoint_round_trips_through_a_dict():
    purged = checkpoint(lower_bound=31, anchor="11" * 32)
    assert Checkpoint.from_dict({"type": CHECKPOINT_TYPE, **purged.as_dict()}) == purged
    with pytest.raises(ValueError):
        Checkpoint.from_dict({**purged.as_dict(), "extra": 1})


@pytest.mark.parametrize("change", [
    {"tenant_id": ""}, {"size": -1}, {"size": True}, {"lower_bound": 0},
    {"lower_bound": 52}, {"merkle_root": "AB" * 32}, {"chain_head": "cd"},
    {"anchor": "11" * 32}, {"key_id": "xyz"}, {"issued_at": "yesterday"},
])
def test_malformed_checkpoints_are_refused(change):
    with pytest.raises(ValueError):
        checkpoint(**change)


def test_an_empty_trail_has_a_checkpoint_too():
    empty = checkpoint(size=0, chain_head=GENESIS_HEX)
    assert verify_signature(empty, sign(empty, KEY), KEY.public_key())


def test_checkpoints_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        checkpoint().size = 60
