"""The verifier held to the published checkpoints, and the queryable columns held to the hashed
bytes, on a trail of 12 audit records with checkpoints at 6 and 12."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from interlude.audit.cli import main
from interlude.audit.domain.canonical import canonical_bytes
from interlude.audit.domain.checkpoint import Checkpoint, key_id, sign
from interlude.audit.domain.columns import (
    COLUMNS,
    column_mismatch,
    columns_of,
    exported_columns,
)
from interlude.audit.domain.hashing import GENESIS, chain_hash
from interlude.audit.domain.merkle import merkle_root
from interlude.audit.domain.model import StoredRecord, Verification
from interlude.audit.domain.verify import verify_chain
from interlude.audit.domain.witness import Signed

TENANT = "7f3c0000-0000-4000-8000-000000000002"
KEY = Ed25519PrivateKey.generate()
KEYS = {key_id(KEY.public_key()): KEY.public_key()}


def fields(seq: int) -> dict:
    return {"v": 1, "tenant_id": TENANT, "time": f"2026-11-22T09:00:{seq:02d}+00:00",
            "actor": {"id": f"u{seq % 3}", "roles": ["coach"], "kind": "user"},
            "action": "engagement.CheckInPosted", "target": {"type": "checkin", "id": f"c{seq}"},
            "data_subjects": [f"s{seq % 2}"], "outcome": "succeeded",
            "source": {"event_id": f"e{seq}", "stream": "ENGAGEMENT", "position": seq,
                       "index": 0}, "reason": None, "seq": seq}


def stored(n: int = 12) -> list[StoredRecord]:
    rows, previous = [], GENESIS
    for seq in range(1, n + 1):
        data = canonical_bytes(fields(seq))
        previous = chain_hash(previous, data)
        rows.append(StoredRecord(TENANT, seq, data, previous, columns_of(fields(seq))))
    return rows


def signed(rows: list[StoredRecord], size: int, minute: int) -> Signed:
    covered = rows[:size]
    checkpoint = Checkpoint(TENANT, size, merkle_root(r.record_bytes for r in covered).hex(),
                            covered[-1].chain_hash.hex(), 1, f"2026-11-22T10:{minute:02d}:00+00:00",
                            key_id(KEY.public_key()))
    return checkpoint, sign(checkpoint, KEY)


ROWS = stored()
SIGNED = [signed(ROWS, 6, 1), signed(ROWS, 12, 2)]


def verify(rows=ROWS, checkpoints=SIGNED, published=SIGNED) -> Verification:
    return verify_chain(rows, checkpoints, KEYS, tenant_id=TENANT, published=published)


def kinds(result: Verification) -> list[tuple[int, str]]:
    return [(f.seq, f.kind) for f in result.failures]


def test_a_trail_that_matches_its_published_checkpoints_verifies():
    result = verify()
    assert result.ok and result.failures == [] and result.checkpoints_checked == 2


@pytest.mark.parametrize(("column", "value"), [
    ("actor_id", "someone"), ("action", "engagement.CheckInDeleted"), ("outcome", "denied"),
    ("target_id", "c99"), ("data_subjects", ["s9"]), ("event_id", "e99"),
    ("occurred_at", datetime(2026, 1, 1, tzinfo=UTC)), ("tenant_id", "another")])
def test_a_column_that_disagrees_with_the_bytes_is_named(column, value):
    at = COLUMNS.index(column)
    rows = [replace(r, columns=(*r.columns[:at], value, *r.columns[at + 1:])) if r.seq == 5
            else r for r in ROWS]
    result = verify(rows)
    assert kinds(result) == [(5, "column-changed")]
    assert f"its {column} column" in result.failures[0].message


def test_columns_from_an_export_compare_times_as_instants():
    row = ROWS[0]
    exported = {**dict(zip(COLUMNS, row.columns, strict=True)),
                "occurred_at": "2026-11-22T10:00:01+01:00"}
    assert column_mismatch(row.record_bytes, exported_columns(exported)) is None
    wrong = exported_columns({**exported, "occurred_at": "yesterday"})
    assert column_mismatch(row.record_bytes, wrong)[0] == "occurred_at"
    assert column_mismatch(row.record_bytes, exported_columns({}))[0] == "tenant_id"
    assert column_mismatch(b"not json", row.columns)[0] == "record"
    assert column_mismatch(b"[1]", row.columns)[0] == "record"


def test_a_published_checkpoint_missing_from_the_store_fails():
    result = verify(checkpoints=SIGNED[:1])
    assert kinds(result) == [(12, "checkpoint-missing")]


def test_a_trail_rolled_back_to_an_older_checkpoint_fails_as_truncated_and_missing():
    assert kinds(verify(ROWS[:6], SIGNED[:1])) == [(7, "truncated"), (12, "checkpoint-missing")]


def test_records_rewritten_with_the_checkpoints_deleted_fail_against_the_published_ones():
    rewritten, previous = [], GENESIS
    for row in ROWS:
        data = row.record_bytes.replace(b"u1", b"u7") if row.seq == 4 else row.record_bytes
        previous = chain_hash(previous, data)
        rewritten.append(replace(row, record_bytes=data, chain_hash=previous, columns=None))
    assert verify_chain(rewritten, [], KEYS).ok  # what passed before: nothing to hold it to
    assert kinds(verify(rewritten, [])) == [(1, "changed"), (6, "checkpoint-missing"),
                                             (12, "checkpoint-missing")]


def test_a_stored_checkpoint_never_published_fails():
    assert kinds(verify(published=SIGNED[:1])) == [(12, "checkpoint-unpublished")]


def test_every_checkpoint_deleted_fails_and_a_copy_published_twice_counts_once():
    assert kinds(verify(checkpoints=[])) == [(6, "checkpoint-missing"),
                                              (12, "checkpoint-missing")]
    assert verify(published=[*SIGNED, SIGNED[1]]).ok


def test_an_export_is_not_verified_without_the_published_checkpoints(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["verify", "--export", "trail.jsonl"])
    assert exited.value.code == 2 and "--published" in capsys.readouterr().err
