"""RFC 6962 tree hashes and consistency proofs, against the Certificate Transparency vectors.

The leaves, roots and proofs are the reference test vectors of Certificate Transparency
(google/certificate-transparency C++ merkle_tree_test, reused by certificate-transparency-go
and transparency-dev/merkle)."""

from __future__ import annotations

import hashlib

import pytest

from interlude.audit.domain.merkle import (
    EMPTY_ROOT,
    MerkleBuilder,
    consistency_proof,
    interior_node,
    leaf_node,
    merkle_root,
    verify_consistency,
)

CT_LEAVES = [bytes.fromhex(h) for h in [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]]
CT_ROOTS = [bytes.fromhex(h) for h in [  # by tree size 0..8
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]]
CT_CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]


def reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 MTH, written the way the RFC states it."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(
        b"\x01" + reference_root(leaves[:k]) + reference_root(leaves[k:])).digest()


LEAVES = [f"record {i}".encode() for i in range(70)]


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_certificate_transparency_vectors(size):
    assert merkle_root(CT_LEAVES[:size]) == CT_ROOTS[size]


def test_the_eight_leaf_root_is_the_published_one():
    assert merkle_root(CT_LEAVES).hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")


def test_empty_tree_leaf_and_node_hashes_are_the_rfc_ones():
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert leaf_node(b"x") == hashlib.sha256(b"\x00x").digest()
    assert interior_node(b"l" * 32, b"r" * 32) == hashlib.sha256(
        b"\x01" + b"l" * 32 + b"r" * 32).digest()


def test_the_streaming_root_equals_the_recursive_definition_at_every_size():
    builder = MerkleBuilder()
    assert builder.root() == reference_root([])
    for size, data in enumerate(LEAVES, start=1):
        builder.append(data)
        assert builder.size == size
        assert builder.root() == reference_root(LEAVES[:size]), size


def test_appending_leaf_hashes_is_the_same_as_appending_data():
    builder = MerkleBuilder()
    for data in LEAVES[:13]:
        builder.append_hash(leaf_node(data))
    assert builder.root() == merkle_root(LEAVES[:13])


def test_a_hundred_thousand_records_are_hashed_in_one_streaming_pass():
    records = (b'{"seq":%d,"action":"engagement.CheckInPosted"}' % i for i in range(100_000))
    builder = MerkleBuilder()
    for data in records:
        builder.append(data)
    assert builder.size == 100_000
    assert len(builder.root()) == 32
    assert len(builder._stack) == bin(100_000).count("1")  # O(log n) memory


@pytest.mark.parametrize(("old", "new", "proof"), CT_CONSISTENCY)
def test_consistency_proofs_match_the_certificate_transparency_vectors(old, new, proof):
    expected = [bytes.fromhex(h) for h in proof]
    assert consistency_proof(CT_LEAVES, old, new) == expected
    assert verify_consistency(old, new, CT_ROOTS[old], CT_ROOTS[new], expected)


def test_every_consistency_proof_between_sizes_up_to_40_verifies():
    roots = [merkle_root(LEAVES[:n]) for n in range(41)]
    for new in range(41):
        for old in range(new + 1):
            proof = consistency_proof(LEAVES, old, new)
            assert verify_consistency(old, new, roots[old], roots[new], proof), (old, new)


def test_a_tampered_consistency_proof_fails():
    roots = [merkle_root(LEAVES[:n]) for n in range(41)]
    for new in range(2, 41):
        for old in range(1, new):
            proof = consistency_proof(LEAVES, old, new)
            good = (old, new, roots[old], roots[new])
            flipped = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
            assert not verify_consistency(*good, flipped)
            assert not verify_consistency(*good, proof[:-1])
            assert not verify_consistency(*good, [*proof, bytes(32)])
            if len(proof) > 1 and proof[0] != proof[1]:
                assert not verify_consistency(*good, [proof[1], proof[0], *proof[2:]])
            assert not verify_consistency(old, new, roots[old - 1], roots[new], proof)
            assert not verify_consistency(old, new, roots[old], roots[new - 1], proof)
            assert not verify_consistency(new, old, roots[new], roots[old], proof)


def test_a_changed_record_breaks_consistency_with_the_earlier_tree():
    old_root = merkle_root(LEAVES[:20])
    rewritten = [*LEAVES[:7], b"rewritten", *LEAVES[8:50]]
    proof = consistency_proof(rewritten, 20, 50)
    assert not verify_consistency(20, 50, old_root, merkle_root(rewritten), proof)


def test_degenerate_consistency_cases():
    root8 = CT_ROOTS[8]
    assert verify_consistency(8, 8, root8, root8, [])
    assert not verify_consistency(8, 8, root8, CT_ROOTS[7], [])
    assert not verify_consistency(8, 8, root8, root8, [root8])
    assert verify_consistency(0, 8, EMPTY_ROOT, root8, [])
    assert not verify_consistency(0, 8, CT_ROOTS[1], root8, [])
    assert not verify_consistency(6, 8, CT_ROOTS[6], root8, [])
    assert not verify_consistency(6, 8, CT_ROOTS[6][:31], root8, [])
    assert consistency_proof(CT_LEAVES, 0, 8) == []


def test_a_consistency_proof_needs_sizes_in_order():
    with pytest.raises(ValueError):
        consistency_proof(CT_LEAVES, 5, 3)
    with pytest.raises(ValueError):
        consistency_proof(CT_LEAVES, 2, 9)
