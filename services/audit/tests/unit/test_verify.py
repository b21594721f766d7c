"""The verifier against a trail of 55 records with signed checkpoints at 20 and 50, tampered
with the way a superuser with database access (and no signing key) could."""

from __future__ import annotations

from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from interlude.audit.domain.canonical import canonical_bytes
from interlude.audit.domain.checkpoint import Checkpoint, key_id, sign
from interlude.audit.domain.hashing import GENESIS, chain_hash
from interlude.audit.domain.merkle import merkle_root
from interlude.audit.domain.model import FAILURE_KINDS, StoredRecord, Verification
from interlude.audit.domain.verify import verify_chain

TENANT = "7f3c0000-0000-4000-8000-000000000001"
KEY = Ed25519PrivateKey.generate()
KEYS = {key_id(KEY.public_key()): KEY.public_key()}


def record_bytes(seq: int, *, with_seq: bool = True, tenant: str = TENANT) -> bytes:
    record = {
        "tenant_id": tenant,
        "at": f"2026-11-22T09:{seq // 60:02d}:{seq % 60:02d}+00:00",
        "actor": {"user_id": f"u{seq % 5}", "roles": ["coach"]},
        "action": "engagement.CheckInPosted",
        "target": {"type": "check_in", "id": f"c{seq}"},
        "subject": f"s{seq % 3}",
        "outcome": {"result": "succeeded"},
    }
    return canonical_bytes({**record, "seq": seq} if with_seq else record)


def chained(datas: list[bytes], first: int = 1, previous: bytes = GENESIS) -> list[StoredRecord]:
    """Rows as the service stores them (or as an attacker rewrites them with fresh hashes)."""
    rows = []
    for seq, data in enumerate(datas, start=first):
        previous = chain_hash(previous, data)
        rows.append(StoredRecord(TENANT, seq, data, previous))
    return rows


def trail(n: int = 55, *, with_seq: bool = True) -> list[StoredRecord]:
    return chained([record_bytes(seq, with_seq=with_seq) for seq in range(1, n + 1)])


def checkpoint(rows: list[StoredRecord], size: int, *, lower_bound: int = 1,
               key: Ed25519PrivateKey = KEY, minute: int = 0) -> tuple[Checkpoint, bytes]:
    covered = [r for r in rows if lower_bound <= r.seq <= size]
    before = [r.chain_hash for r in rows if r.seq == lower_bound - 1]
    anchor = before[0] if before else GENESIS
    issued = Checkpoint(TENANT, size, merkle_root(r.record_bytes for r in covered).hex(),
                        (covered[-1].chain_hash if covered else anchor).hex(), lower_bound,
                        f"2026-11-22T10:{minute:02d}:00+00:00", key_id(key.public_key()),
                        anchor.hex())
    return issued, sign(issued, key)


ROWS = trail()
CHECKPOINTS = [checkpoint(ROWS, 20), checkpoint(ROWS, 50, minute=5)]


def verify(rows: list[StoredRecord], checkpoints=CHECKPOINTS, **options) -> Verification:
    result = verify_chain(iter(rows), iter(checkpoints), KEYS, **options)
    assert result.ok == (result.first_failure is None)
    if result.first_failure:
        assert result.first_failure.kind in FAILURE_KINDS
    return result


def failure(rows: list[StoredRecord], checkpoints=CHECKPOINTS, **options) -> tuple[int, str, str]:
    found = verify(rows, checkpoints, **options).first_failure
    assert found is not None, "the tampering went unnoticed"
    return found.seq, found.kind, found.message


def renumbered(rows: list[StoredRecord]) -> list[StoredRecord]:
    """What a superuser's UPDATE … SET seq = … leaves: every row keeps its bytes and hash."""
    return [replace(row, seq=seq) for seq, row in enumerate(rows, start=rows[0].seq)]


def edited(row: StoredRecord) -> StoredRecord:
    return replace(row, record_bytes=row.record_bytes.replace(b"succeeded", b"denied"))


# An untouched trail


def test_an_untouched_trail_verifies_and_names_what_no_checkpoint_covers_yet():
    result = verify(ROWS)
    assert result == Verification(ok=True, records_checked=55, checkpoints_checked=2,
                                  first_failure=None,
                                  warnings=["records 51..55 are not yet covered by a checkpoint"])


def test_a_trail_that_ends_at_its_last_checkpoint_has_no_warning():
    assert verify(ROWS[:50]).warnings == []


def test_an_empty_trail_verifies_with_or_without_an_empty_checkpoint():
    assert verify([], []).ok
    assert verify([], [checkpoint([], 0)]).ok


def test_without_any_checkpoint_the_chain_is_checked_against_itself():
    result = verify(ROWS, [])
    assert result.ok and result.warnings == ["records 1..55 are not yet covered by a checkpoint"]
    assert failure([*ROWS[:29], edited(ROWS[29]), *ROWS[30:]], [])[:2] == (30, "changed")


# Changed


@pytest.mark.parametrize("seq", [1, 20, 30, 50, 51, 55])
def test_a_record_whose_bytes_were_edited_is_named_as_changed(seq):
    rows = [edited(row) if row.seq == seq else row for row in ROWS]
    found, kind, message = failure(rows)
    assert (found, kind) == (seq, "changed")
    assert message == f"record {seq} was changed: its bytes do not match its chain hash"


def test_an_edit_in_records_without_their_number_is_placed_by_a_later_checkpoint():
    rows = trail(with_seq=False)
    checkpoints = [checkpoint(rows, 20), checkpoint(rows, 50)]
    tampered = [edited(row) if row.seq == 30 else row for row in rows]
    assert failure(tampered, checkpoints)[1:] == (
        "changed", "record 30 was changed: its bytes do not match its chain hash")


def test_a_record_whose_stored_hash_was_edited_is_named_as_changed():
    rows = [replace(row, chain_hash=bytes(32)) if row.seq == 30 else row for row in ROWS]
    seq, kind, message = failure(rows)
    assert (seq, kind) == (30, "changed") and "hash was edited" in message


# Removed


@pytest.mark.parametrize("seq", [1, 30, 50, 51])
def test_a_deleted_row_leaves_a_gap_named_at_its_number(seq):
    seq_found, kind, message = failure([row for row in ROWS if row.seq != seq])
    assert (seq_found, kind) == (seq, "gap")
    assert f"record {seq} was removed" in message


def test_deleted_rows_at_the_start_are_a_gap_too():
    assert failure(ROWS[10:]) == (1, "gap", "records 1..10 were removed: the first record "
                                            "present is 11")


def test_a_deleted_row_with_the_later_ones_renumbered_is_named_as_removed():
    seq, kind, message = failure(renumbered([row for row in ROWS if row.seq != 30]))
    assert (seq, kind) == (30, "removed")
    assert "renumbered" in message


def test_a_removal_is_recognised_from_the_checkpoint_when_records_do_not_carry_their_number():
    rows = trail(with_seq=False)
    checkpoints = [checkpoint(rows, 20), checkpoint(rows, 50)]
    seq, kind, message = failure(renumbered([r for r in rows if r.seq != 30]), checkpoints)
    assert (seq, kind) == (30, "removed")
    assert "checkpoint at size 50 matches record 49" in message


def test_a_removal_without_any_evidence_is_reported_as_a_change_that_may_be_one():
    rows = trail(with_seq=False)
    checkpoints = [checkpoint(rows, 20), checkpoint(rows, 50)]
    seq, kind, message = failure(renumbered([r for r in rows if r.seq != 52]), checkpoints)
    assert (seq, kind) == (52, "changed")
    assert "removed" in message


# Inserted


def forged(seq: int, previous: bytes | None) -> StoredRecord:
    data = record_bytes(seq).replace(b"succeeded", b"forged")
    return StoredRecord(TENANT, seq, data, chain_hash(previous, data) if previous else bytes(32))


@pytest.mark.parametrize("hashed", [False, True], ids=["garbage-hash", "correct-hash"])
@pytest.mark.parametrize("seq", [1, 30, 53])
def test_an_inserted_row_with_the_later_ones_renumbered_is_named_at_its_number(seq, hashed):
    before = ROWS[: seq - 1]
    previous = before[-1].chain_hash if before else GENESIS
    rows = [*before, *renumbered([forged(seq, previous if hashed else None), *ROWS[seq - 1:]])]
    found, kind, message = failure(rows)
    assert (found, kind) == (seq, "inserted")
    assert f"record {seq} was inserted" in message


def test_several_inserted_rows_with_correct_hashes_are_named_from_the_first():
    first = forged(30, ROWS[28].chain_hash)
    second = forged(31, first.chain_hash)
    rows = [*ROWS[:29], *renumbered([first, second, *ROWS[29:]])]
    assert failure(rows)[:3] == (30, "inserted",
                                 "records 30..31 were inserted: record 32 links directly to "
                                 "record 29")


def test_a_row_of_another_organisation_is_named_as_inserted():
    stranger = StoredRecord("another-org", 30, ROWS[29].record_bytes, ROWS[29].chain_hash)
    assert failure([*ROWS[:29], stranger, *ROWS[30:]])[:2] == (30, "inserted")


def test_a_number_seen_twice_in_an_export_is_named_as_inserted():
    assert failure([*ROWS[:30], ROWS[29], *ROWS[30:]])[:2] == (30, "inserted")


# Reordered


@pytest.mark.parametrize(("first", "second"), [(30, 31), (12, 40), (20, 21), (45, 54)])
def test_two_swapped_rows_are_named_as_reordered_at_the_first(first, second):
    rows = list(ROWS)
    rows[first - 1], rows[second - 1] = ROWS[second - 1], ROWS[first - 1]
    seq, kind, message = failure(renumbered(rows))
    assert (seq, kind) == (first, "reordered")
    assert f"records {first} and {second} are swapped" in message


def test_bytes_exchanged_between_two_rows_are_named_as_reordered():
    rows = list(ROWS)
    rows[11] = replace(ROWS[11], record_bytes=ROWS[39].record_bytes)
    rows[39] = replace(ROWS[39], record_bytes=ROWS[11].record_bytes)
    assert failure(rows)[:3] == (12, "reordered", "the bytes of records 12 and 40 were exchanged")


def test_records_out_of_order_in_an_export_are_named_as_reordered():
    rows = [*ROWS[:29], ROWS[30], ROWS[29], *ROWS[31:]]
    assert failure(rows)[:2] == (30, "reordered")


# Truncated


def test_records_cut_from_the_end_that_a_checkpoint_covers_are_truncation():
    assert failure(ROWS[:45]) == (46, "truncated",
                                  "truncated: checkpoint says 50 records, 45 present")


def test_truncation_reports_how_many_records_the_checkpoint_says():
    rows = trail(120)
    assert failure(rows[:100], [checkpoint(rows, 120)])[2] == (
        "truncated: checkpoint says 120 records, 100 present")


def test_records_cut_from_the_end_after_the_last_checkpoint_cannot_be_told():
    assert verify(ROWS[:52]).ok


# Checkpoints


def test_a_mangled_signature_is_a_bad_signature_at_the_checkpoints_size():
    cp, signature = CHECKPOINTS[1]
    mangled = bytes([signature[0] ^ 1]) + signature[1:]
    assert failure(ROWS, [CHECKPOINTS[0], (cp, mangled)])[:2] == (50, "bad-signature")


def test_a_checkpoint_changed_after_signing_is_a_bad_signature():
    cp, signature = CHECKPOINTS[1]
    assert failure(ROWS, [CHECKPOINTS[0], (replace(cp, size=55), signature)])[:2] == (
        55, "bad-signature")


def test_a_checkpoint_signed_with_an_unknown_key_is_a_bad_signature():
    seq, kind, message = failure(ROWS, [checkpoint(ROWS, 50, key=Ed25519PrivateKey.generate())])
    assert (seq, kind) == (50, "bad-signature") and "not known" in message


def test_a_checkpoint_forged_in_our_keys_name_is_a_bad_signature():
    cp, _ = CHECKPOINTS[1]
    forged_signature = Ed25519PrivateKey.generate().sign(b"anything")
    assert failure(ROWS, [(cp, forged_signature)])[:2] == (50, "bad-signature")


def test_a_rewrite_that_recomputes_every_later_hash_is_caught_by_the_next_checkpoint():
    datas = [row.record_bytes for row in ROWS]
    datas[29] = datas[29].replace(b"succeeded", b"denied")
    seq, kind, message = failure(chained(datas))
    assert (seq, kind) == (21, "changed")
    assert message.startswith("records 21..50 do not match the chain head and Merkle root of "
                              "the signed checkpoint at size 50")


def test_a_removal_that_recomputes_every_later_hash_is_caught_by_the_next_checkpoint():
    rewritten = chained([row.record_bytes for row in ROWS if row.seq != 30])
    assert failure(rewritten)[:2] == (21, "changed")


def test_the_rewriter_cannot_sign_a_checkpoint_for_the_rewritten_trail():
    datas = [row.record_bytes for row in ROWS]
    datas[29] = datas[29].replace(b"succeeded", b"denied")
    rewritten = chained(datas)
    own_key = Ed25519PrivateKey.generate()
    cp, _ = checkpoint(rewritten, 50, key=own_key)
    replaced = replace(cp, key_id=CHECKPOINTS[1][0].key_id)
    assert failure(rewritten, [CHECKPOINTS[0], (replaced, own_key.sign(b"x"))])[:2] == (
        50, "bad-signature")


def test_a_correctly_signed_checkpoint_with_a_wrong_root_is_a_bad_checkpoint():
    cp, _ = CHECKPOINTS[1]
    wrong = replace(cp, merkle_root="00" * 32)
    seq, kind, message = failure(ROWS, [CHECKPOINTS[0], (wrong, sign(wrong, KEY))])
    assert (seq, kind) == (50, "bad-checkpoint") and "Merkle root" in message


def test_checkpoint_sizes_never_shrink():
    assert failure(ROWS, [CHECKPOINTS[1], CHECKPOINTS[0]])[:2] == (21, "bad-checkpoint")


def test_a_checkpoint_of_another_organisation_is_a_bad_checkpoint():
    cp, _ = CHECKPOINTS[1]
    stranger = replace(cp, tenant_id="another-org")
    assert failure(ROWS, [CHECKPOINTS[0], (stranger, sign(stranger, KEY))])[:2] == (
        50, "bad-checkpoint")


# Retention purges


PURGE_ROWS = trail(60)
PURGE = [checkpoint(PURGE_ROWS, 20), checkpoint(PURGE_ROWS, 50),
         checkpoint(PURGE_ROWS, 60, lower_bound=31)]


def test_a_purged_trail_verifies_from_its_new_lower_bound():
    result = verify(PURGE_ROWS[30:], PURGE)
    assert result.ok and result.records_checked == 30
    assert result.warnings == ["2 checkpoint(s) cover purged records: only their signatures, "
                               "sizes and chain heads could be checked"]


def test_records_still_present_below_the_lower_bound_are_left_aside():
    result = verify(PURGE_ROWS, PURGE)
    assert result.ok and result.records_checked == 30
    assert "30 records before the lower bound 31 are still present" in result.warnings[0]


def test_records_left_over_before_the_lower_bound_still_link_up_to_its_anchor():
    assert verify(PURGE_ROWS[10:], PURGE).ok  # a purge cut short leaves its oldest end
    forged = replace(edited(PURGE_ROWS[4]), seq=30)  # copied into the place of one left over
    assert failure([*PURGE_ROWS[:29], forged, *PURGE_ROWS[30:]], PURGE)[:2] == (30, "changed")
    changed = [edited(r) if r.seq == 12 else r for r in PURGE_ROWS]
    assert failure(changed, PURGE)[:2] == (12, "changed")
    assert failure(PURGE_ROWS[:29] + PURGE_ROWS[30:], PURGE)[:2] == (29, "inserted")


@pytest.mark.parametrize("seq", [0, -5])
def test_a_row_numbered_below_1_is_named_as_inserted(seq):
    forged = replace(edited(ROWS[3]), seq=seq)
    found = verify([forged, *ROWS], CHECKPOINTS)
    assert (found.first_failure.seq, found.first_failure.kind) == (seq, "inserted")
    assert not any("still present" in warning for warning in found.warnings)
    assert failure([forged, *PURGE_ROWS[30:]], PURGE)[:2] == (seq, "inserted")


def test_after_a_purge_tampering_is_still_named():
    rows = PURGE_ROWS[30:]
    assert failure([r for r in rows if r.seq != 31], PURGE)[:2] == (31, "gap")
    assert failure([edited(r) if r.seq == 40 else r for r in rows], PURGE)[:2] == (40, "changed")


@pytest.mark.parametrize(("seq", "first"), [(41, 31), (51, 51)])
def test_after_a_purge_a_rewrite_is_caught_by_the_checkpoints_that_remain(seq, first):
    datas = [r.record_bytes for r in PURGE_ROWS[30:]]
    datas[seq - 31] = datas[seq - 31].replace(b"succeeded", b"denied")
    rewritten = chained(datas, first=31, previous=PURGE_ROWS[29].chain_hash)
    assert failure(rewritten, PURGE)[:2] == (first, "changed")


def test_records_deleted_from_the_start_without_a_purge_checkpoint_are_a_gap():
    assert failure(PURGE_ROWS[30:], PURGE[:2])[:2] == (1, "gap")


def test_an_explicit_lower_bound_must_be_one_a_signed_checkpoint_states():
    assert verify(PURGE_ROWS[30:], PURGE, lower_bound=31).ok
    assert verify(PURGE_ROWS[30:], PURGE, lower_bound=31,
                  anchor=PURGE_ROWS[29].chain_hash).ok
    assert failure(PURGE_ROWS[30:], PURGE[:2], lower_bound=31)[:2] == (1, "removed")
    assert failure(PURGE_ROWS[30:], PURGE, lower_bound=31, anchor=bytes(32))[:2] == (
        1, "removed")
