"""The trail held to its head: the row every append numbers the next record from."""

from __future__ import annotations

from interlude.audit.domain.head import StoredHead, head_failure

LAST = (8, b"h" * 32)


def kind(head: StoredHead | None, last: tuple[int, bytes] | None = LAST) -> tuple[int, str]:
    found = head_failure(head, last)
    assert found is not None
    return found.seq, found.kind


def test_a_head_that_matches_the_last_record_or_an_empty_trail_is_fine() -> None:
    assert head_failure(StoredHead(8, b"h" * 32, 1), LAST) is None
    assert head_failure(None, None) is None
    assert head_failure(StoredHead(30, b"x" * 32, 31), None) is None  # all purged to 31


def test_records_missing_after_what_the_head_says_were_appended_are_truncation() -> None:
    assert kind(StoredHead(11, b"x" * 32, 1)) == (9, "truncated")
    assert kind(StoredHead(4, b"x" * 32, 1), None) == (1, "truncated")


def test_a_head_moved_back_edited_or_deleted_is_named() -> None:
    assert kind(StoredHead(6, b"h" * 32, 1)) == (7, "head-changed")
    assert kind(StoredHead(8, b"x" * 32, 1)) == (8, "head-changed")
    assert kind(None) == (8, "head-changed")
