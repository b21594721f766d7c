"""Naming what happened at the first broken record, from the evidence the rest of the trail holds.

A chain hash only says *that* record ``f`` does not follow from record ``f - 1``. Which of a
changed, removed, inserted or swapped record caused it shows in which stored hashes the
records still link to: every stored record keeps the hash its predecessor had when it was
appended, so after a row was moved, inserted or deleted (as a superuser could, without
recomputing hashes) the rows still point at their original neighbours. While the verifier
reads on past ``f`` it tests, for each later record ``q`` (a few hashes each):

- does ``q`` link to record ``f - 1``? Then ``q`` originally came right after ``f - 1``:
  the records ``f..q-1`` were inserted, or ``f`` and ``q`` were swapped;
- does ``f`` link to ``q``? Then ``f`` originally came right after the record now at ``q``;
- would ``f``'s bytes fit at ``q``, or ``q``'s at ``f``? Then bytes were moved between rows;
- is a later signed checkpoint's chain head found one row too early or too late? Then records
  were removed or inserted and the later ones renumbered.

A record that links to an earlier one (``f - 2``…) means the records in between were
inserted with correct hashes. A record whose own bytes carry ``"seq"`` settles a renumbering.
Without any of these, a broken link is reported as a changed record, which is what it is
unless a record before it was deleted and the later ones renumbered: the message says so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

from interlude.audit.domain.hashing import DOMAIN
from interlude.audit.domain.model import Failure, FailureKind, StoredRecord

__all__ = ["BrokenLink", "MissingNumber"]


def _link(previous: bytes, leaf: bytes) -> bytes:
    return hashlib.sha256(DOMAIN + previous + leaf).digest()


def _own_seq(record_bytes: bytes) -> int | None:
    """The ``seq`` a record's bytes state about themselves, if they do."""
    try:
        data = json.loads(record_bytes)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's limit
        return None
    seq = data.get("seq") if isinstance(data, dict) else None
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None


def _were(first: int, last: int) -> str:
    return f"record {first} was" if first == last else f"records {first}..{last} were"


class MissingNumber:
    """The numbering jumped from ``expected - 1`` to ``found``: a gap, unless the missing
    number turns up later (then the records are out of order)."""

    def __init__(self, expected: int, found: int, *, first: bool = False) -> None:
        """``first``: no record was read before (``expected`` is the lower bound)."""
        self.expected, self.found, self._first = expected, found, first
        self._seen_later = False

    def feed(self, record: StoredRecord) -> None:
        self._seen_later = self._seen_later or record.seq == self.expected

    def conclude(self) -> Failure:
        if self._seen_later:
            return Failure(self.expected, "reordered",
                           f"record {self.expected} is out of order: it comes after "
                           f"record {self.found}")
        jump = (f"the first record present is {self.found}" if self._first else
                f"the numbering jumps from {self.expected - 1} to {self.found}")
        return Failure(self.expected, "gap",
                       f"{_were(self.expected, self.found - 1)} removed: {jump}")


class BrokenLink:
    """Evidence about record ``seq``, whose bytes and chain hash do not follow from
    ``previous`` (the verified chain hash of record ``seq - 1``)."""

    def __init__(self, record: StoredRecord, previous: bytes,
                 earlier: Sequence[tuple[int, bytes]], heads: Mapping[bytes, int]) -> None:
        """``earlier``: (seq, chain hash) of verified records before ``seq - 1``;
        ``heads``: chain head -> size of the signed checkpoints not yet reached."""
        self.seq, self._stored, self._previous = record.seq, record.chain_hash, previous
        self._leaf = hashlib.sha256(record.record_bytes).digest()
        self._own_seq = _own_seq(record.record_bytes)
        self._heads = heads
        self._last_stored = record.chain_hash
        self.links_to_earlier = next(
            (seq for seq, stored in reversed(earlier) if _link(stored, self._leaf) == self._stored),
            None)
        self.next_links_here: bool | None = None  # does record seq+1 link to this one's hash?
        self.follower: int | None = None  # a later record that links to record seq-1
        self.origin: int | None = None  # the later record that this one links to
        self.fits_at: int | None = None  # where this record's bytes would fit
        self.fits_here: int | None = None  # whose bytes would fit here
        self.shift: tuple[int, int] | None = None  # (offset, size) of a misplaced head
        self.in_place = self._own_seq == record.seq  # evidence that nothing was renumbered

    def feed(self, record: StoredRecord) -> None:
        """Look at a record after the broken one (in the order read)."""
        stored, leaf = record.chain_hash, hashlib.sha256(record.record_bytes).digest()
        if self.next_links_here is None:
            self.next_links_here = _link(self._stored, leaf) == stored
        if self.follower is None or self.fits_here is None:
            after_previous = _link(self._previous, leaf)
            if self.follower is None and after_previous == stored:
                self.follower = record.seq
            if self.fits_here is None and after_previous == self._stored:
                self.fits_here = record.seq
        if self.origin is None and _link(stored, self._leaf) == self._stored:
            self.origin = record.seq
        if self.fits_at is None and _link(self._last_stored, self._leaf) == stored:
            self.fits_at = record.seq
        size = self._heads.get(stored)
        if size == record.seq:
            self.in_place = True
        elif size is not None and self.shift is None:
            self.shift = (record.seq - size, size)
        self._last_stored = stored

    def conclude(self) -> Failure:
        """The most likely explanation, at the record where it starts."""
        f = self.seq
        if self.links_to_earlier is not None:
            q = self.links_to_earlier
            return Failure(q + 1, "inserted",
                           f"{_were(q + 1, f - 1)} inserted: record {f} links directly "
                           f"to record {q}")
        if self.follower is not None:
            return self._after_follower(f, self.follower)
        if self.origin is not None:
            return Failure(f, "reordered",
                           f"record {f} is out of place: it links to record {self.origin}, "
                           f"not to record {f - 1}")
        if self.fits_at is not None and self.fits_here is not None:
            return Failure(f, "reordered",
                           f"the bytes of records {f} and {self.fits_at} were exchanged")
        return self._renumbered(f) or self._changed(f)

    def _after_follower(self, f: int, q: int) -> Failure:
        if self.origin in (q - 1, q):
            return Failure(f, "reordered",
                           f"records {f} and {q} are swapped: record {q} links to record "
                           f"{f - 1} and record {f} to record {self.origin}")
        if self.origin is not None:
            return Failure(f, "reordered",
                           f"records were moved: record {q} links to record {f - 1} and "
                           f"record {f} to record {self.origin}")
        return Failure(f, "inserted",
                       f"{_were(f, q - 1)} inserted: record {q} links directly to "
                       f"record {f - 1}")

    def _renumbered(self, f: int) -> Failure | None:
        own = self._own_seq
        if own is not None and own > f:
            return Failure(f, "removed",
                           f"{_were(f, own - 1)} removed and the later records renumbered: "
                           f"record {f} does not link to record {f - 1} and its bytes say it "
                           f"is record {own}")
        if own is not None and own < f:
            return Failure(f, "inserted",
                           f"records were inserted before record {f}: its bytes say it is "
                           f"record {own}")
        if self.shift is not None:
            offset, size = self.shift
            kind: FailureKind = "removed" if offset < 0 else "inserted"
            return Failure(f, kind,
                           f"{abs(offset)} record(s) {kind} at record {f} and the later ones "
                           f"renumbered: record {f} does not link to record {f - 1} and the "
                           f"signed checkpoint at size {size} matches record {size + offset}")
        return None

    def _changed(self, f: int) -> Failure:
        if self.fits_at is not None or self.fits_here is not None:
            other = self.fits_at if self.fits_at is not None else self.fits_here
            return Failure(f, "changed",
                           f"record {f} was changed: its bytes do not match its chain hash, "
                           f"and bytes were copied between it and record {other}")
        if self.next_links_here is False:
            return Failure(f, "changed",
                           f"record {f} was changed: neither its bytes nor record {f + 1} "
                           f"match its stored chain hash (the hash was edited)")
        maybe = "" if self.in_place else (" (or a record before it was removed and the later "
                                          "ones renumbered)")
        return Failure(f, "changed",
                       f"record {f} was changed: its bytes do not match its chain hash{maybe}")
