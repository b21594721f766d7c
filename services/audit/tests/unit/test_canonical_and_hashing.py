"""Canonical record bytes and the chain hash."""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from interlude.audit.domain.canonical import canonical_bytes
from interlude.audit.domain.hashing import (
    DOMAIN,
    GENESIS,
    chain_hash,
    chain_hashes,
    leaf_hash,
)


def test_keys_are_sorted_at_every_level_without_whitespace():
    record = {"b": 1, "a": {"z": [1, 2, {"y": None, "x": True}], "c": "d"}}
    assert canonical_bytes(record) == b'{"a":{"c":"d","z":[1,2,{"x":true,"y":null}]},"b":1}'


def test_text_is_utf8_not_escaped():
    assert canonical_bytes({"name": "Zoë 日本"}) == '{"name":"Zoë 日本"}'.encode()


def test_the_same_record_in_any_key_order_gives_the_same_bytes():
    one = {"actor": "u1", "action": "x", "outcome": {"ok": False, "reason": "r"}}
    other = OrderedDict(reversed(list(one.items())))
    assert canonical_bytes(one) == canonical_bytes(other)


def test_tuples_are_lists_and_finite_floats_and_big_integers_pass():
    assert canonical_bytes({"t": (1, "a"), "f": 0.5, "i": 2**70}) == (
        b'{"f":0.5,"i":1180591620717411303424,"t":[1,"a"]}'
    )


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused(value):
    with pytest.raises(ValueError):
        canonical_bytes({"v": [value]})


@pytest.mark.parametrize("value", [
    datetime(2026, 11, 22, tzinfo=UTC),
    UUID(int=1),
    Decimal("1.5"),
    b"bytes",
    {1, 2},
    object(),
])
def test_values_that_are_not_json_types_are_refused(value):
    with pytest.raises(TypeError):
        canonical_bytes({"nested": {"v": value}})


def test_an_iso_string_is_how_a_time_goes_in():
    at = datetime(2026, 11, 22, 9, 0, tzinfo=UTC).isoformat()
    assert canonical_bytes({"at": at}) == b'{"at":"2026-11-22T09:00:00+00:00"}'


def test_keys_that_are_not_strings_are_refused():
    with pytest.raises(TypeError):
        canonical_bytes({"outer": {1: "one"}})


def test_only_a_mapping_is_a_record():
    with pytest.raises(TypeError):
        canonical_bytes([("a", 1)])


def test_a_lone_surrogate_is_refused():
    with pytest.raises(ValueError):
        canonical_bytes({"s": "\ud800"})


def test_chain_hash_is_domain_previous_and_record_digest():
    record = b'{"seq":1}'
    expected = hashlib.sha256(DOMAIN + GENESIS + hashlib.sha256(record).digest()).digest()
    assert chain_hash(GENESIS, record) == expected
    assert leaf_hash(record) == hashlib.sha256(record).digest()
    assert DOMAIN == b"interlude-audit-v1" and bytes(32) == GENESIS


def test_chain_hashes_follow_one_another():
    records = [b"a", b"b", b"c"]
    first = chain_hash(GENESIS, b"a")
    assert list(chain_hashes(records)) == [
        first, chain_hash(first, b"b"), chain_hash(chain_hash(first, b"b"), b"c")]


def test_a_previous_hash_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError):
        chain_hash(b"short", b"record")
