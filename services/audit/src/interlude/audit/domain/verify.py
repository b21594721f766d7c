"""The verifier: recompute one organisation's chain from the stored bytes and hold it against
the signed checkpoints. Pure: it reads what it is given, once, in order, in O(log n) memory.

What it checks, and where a failure is reported:

- every checkpoint's signature (``bad-signature`` at the checkpoint's size), and that sizes
  and lower bounds never go back from one checkpoint to the next (``bad-checkpoint``);
- the numbering runs ``lower_bound, lower_bound + 1, ...`` without gaps (``gap`` at the first
  missing number; ``inserted`` at a number seen twice; ``reordered`` when it turns up later);
- every chain hash, recomputed from the stored bytes and the previous hash; at the first one
  that does not match, the rest of the trail is read for evidence of what happened
  (``changed``, ``removed``, ``inserted``, ``reordered``: see ``diagnose``);
- each checkpoint, when the records reach its size: chain head and Merkle root (over records
  ``checkpoint.lower_bound..size``) and anchor. A trail rewritten with recomputed hashes passes
  the chain check but not this one (``changed``, reported from the record after the last
  checkpoint that still matched, since nothing says which record in the range it was);
- records missing at the end that a checkpoint covers (``truncated``).

Given the published checkpoints (``published``; see ``witness``), it holds the records to
those as well and fails on a checkpoint published but not stored, or stored but not published.
Given each record's columns, it checks them against the hashed bytes (``column-changed`` at
the first record whose columns disagree; see ``columns``).

Records after the last checkpoint are not yet protected by a signature: a warning, not a
failure. The lower bound and anchor come from the latest signed checkpoint unless given; an
explicit lower bound above 1 must be one that a signed checkpoint states.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable, Mapping

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from interlude.audit.domain.checkpoint import Checkpoint
from interlude.audit.domain.columns import column_failure
from interlude.audit.domain.diagnose import BrokenLink, MissingNumber
from interlude.audit.domain.hashing import DOMAIN
from interlude.audit.domain.head import StoredHead, head_failure
from interlude.audit.domain.merkle import MerkleBuilder
from interlude.audit.domain.model import Failure, StoredRecord, Verification
from interlude.audit.domain.trusted import bounds, screen
from interlude.audit.domain.witness import Signed, witnessed

__all__ = ["ChainVerifier", "verify_chain"]

_EARLIER = 16  # how many verified hashes a broken record is tested against


def verify_chain(
    records: Iterable[StoredRecord],
    checkpoints: Iterable[tuple[Checkpoint, bytes]],
    public_keys: Mapping[str, Ed25519PublicKey],
    *,
    lower_bound: int | None = None,
    anchor: bytes | None = None,
    tenant_id: str | None = None,
    published: Iterable[Signed] | None = None,
) -> Verification:
    """Verify one organisation's trail.

    ``records`` in ``seq`` order (read once, streamed); ``checkpoints`` as (checkpoint,
    signature) in the order they were issued; ``public_keys`` by key id. ``lower_bound`` is
    the first record present after a retention purge and ``anchor`` the chain hash of the
    record before it; both default to what the latest signed checkpoint states (1 and
    ``GENESIS`` when nothing was purged). ``tenant_id`` defaults to the first checkpoint's or
    record's; records and checkpoints of another organisation fail the trail. ``published``:
    the checkpoints as published to JetStream, to hold the stored ones against (None: the
    stored checkpoints are taken on trust, as only a test of the chain alone should).
    """
    verifier = ChainVerifier(checkpoints, public_keys, lower_bound=lower_bound, anchor=anchor,
                             tenant_id=tenant_id, published=published)
    for record in records:
        verifier.feed(record)
    return verifier.result()


class ChainVerifier:
    """:func:`verify_chain` fed one record at a time, for records that arrive from a database
    cursor (an ``async for``): the checkpoints first, then every record, then the result."""

    def __init__(
        self,
        checkpoints: Iterable[tuple[Checkpoint, bytes]],
        public_keys: Mapping[str, Ed25519PublicKey],
        *,
        lower_bound: int | None = None,
        anchor: bytes | None = None,
        tenant_id: str | None = None,
        published: Iterable[Signed] | None = None,
        unreadable: Iterable[Failure] = (),
    ) -> None:
        """``unreadable``: what is wrong with the stored checkpoints that could not be read."""
        given = list(checkpoints)
        unwitnessed: list[Failure] = []
        if published is not None:
            given, unwitnessed = witnessed(given, published)
        tenant = tenant_id or (given[0][0].tenant_id if given else None)
        trusted, self._failures = screen(given, public_keys, tenant)
        self._failures += [*unreadable, *unwitnessed]
        bound, start, failure = bounds(trusted, lower_bound, anchor)
        if failure:
            self._failures.append(failure)
        self._checkpoints = len(given)
        self._walk = _Walk(bound, start, trusted, tenant)
        self._column: Failure | None = None
        self._head: Failure | None = None
        self._last: tuple[int, bytes] | None = None  # the last record at or after the bound

    def feed(self, record: StoredRecord) -> None:
        """The next record, in ``seq`` order."""
        self._walk.feed(record)
        if record.seq >= self._walk.bound:
            self._last = (record.seq, record.chain_hash)
        if self._column is None and record.columns is not None \
                and record.seq >= self._walk.bound:
            self._column = column_failure(record.seq, record.record_bytes, record.columns)

    def hold_to_head(self, head: StoredHead | None) -> None:
        """After the last record: hold the records to the trail's head row (``head_failure``)."""
        self._head = head_failure(head, self._last)

    def result(self) -> Verification:
        """The verification, after the last record."""
        walk = self._walk
        # by record number; at the same number the chain's finding first, being the cause
        found = sorted((f for f in (walk.finish(), walk.stray, self._column, self._head,
                                    *self._failures)
                        if f is not None), key=lambda f: f.seq)
        first = found[0] if found else None
        return Verification(ok=first is None, records_checked=walk.count,
                            checkpoints_checked=self._checkpoints, first_failure=first,
                            warnings=walk.warnings(first is None), failures=found)


class _Walk:
    """One pass over the records: chain hashes, numbering and the checkpoints they reach."""

    def __init__(self, bound: int, anchor: bytes, trusted: list[Checkpoint],
                 tenant: str | None) -> None:
        self.bound, self.tenant = bound, tenant
        self.expected, self.previous = bound, anchor
        self.count = self.below = self.partial = 0
        self.failure: Failure | None = None
        self.diagnosis: BrokenLink | MissingNumber | None = None
        self.earlier: deque[tuple[int, bytes]] = deque(maxlen=_EARLIER)
        self.leftover: tuple[int, bytes] | None = None  # (seq, chain hash) before the bound
        self.stray: Failure | None = None  # what is wrong with the records before the bound
        self.last_good = bound - 1  # the last record a checkpoint vouched for
        self.covered = max((c.size for c in trusted), default=bound - 1)
        self.builders = {c.lower_bound: MerkleBuilder() for c in trusted
                         if c.lower_bound >= bound}
        self.anchors = {bound: anchor}  # chain hash before each lower bound
        self.due: dict[int, list[Checkpoint]] = {}
        for checkpoint in trusted:
            if checkpoint.size >= bound - 1:
                self.due.setdefault(checkpoint.size, []).append(checkpoint)
            else:
                self.partial += 1
        self._reach(bound - 1, anchor)

    def feed(self, record: StoredRecord) -> None:
        if record.seq < self.bound and self.count == 0:
            self._left_over(record)
            return
        if self.leftover is not None:
            self._left_over_end()
        self.count += 1
        if self.diagnosis is not None:
            self.diagnosis.feed(record)
        elif self.failure is None:
            self._check(record)

    def _check(self, record: StoredRecord) -> None:
        seq = record.seq
        if self.tenant is None:
            self.tenant = record.tenant_id
        if record.tenant_id != self.tenant:
            self.failure = Failure(seq, "inserted", f"record {seq} belongs to organisation "
                                                    f"{record.tenant_id!r}, not {self.tenant!r}")
        elif seq > self.expected:
            self.diagnosis = MissingNumber(self.expected, seq, first=self.count == 1)
        elif seq < self.expected:
            self.failure = Failure(seq, "inserted", f"record number {seq} appears a second "
                                                    f"time, after record {self.expected - 1}")
        else:
            data = record.record_bytes
            head = hashlib.sha256(DOMAIN + self.previous + hashlib.sha256(data).digest()).digest()
            if head != record.chain_hash:
                self.diagnosis = BrokenLink(record, self.previous, list(self.earlier),
                                            self._heads())
                return
            for lower, builder in self.builders.items():
                if seq >= lower:
                    builder.append(data)
            self.earlier.append((seq - 1, self.previous))
            self.previous, self.expected = head, seq + 1
            self._reach(seq, head)

    def _left_over(self, record: StoredRecord) -> None:
        """A record before the lower bound: left over from a purge that has not deleted it
        yet, so one of a run of genuine records that links up to the anchor. Shown by queries
        until it goes, it is held to that: a row numbered below 1 or one that does not link to
        the one before it was written by someone else."""
        self.below += 1
        seq, last = record.seq, self.leftover
        self.leftover = (seq, record.chain_hash)
        if self.stray is not None:
            return
        if seq < 1:
            self.stray = Failure(seq, "inserted", f"record {seq} was inserted: records are "
                                                  f"numbered from 1")
        elif last is not None and (last[0] != seq - 1 or hashlib.sha256(
                DOMAIN + last[1] + hashlib.sha256(record.record_bytes).digest()).digest()
                != record.chain_hash):
            self.stray = Failure(seq, "changed", f"record {seq}, left over before the lower "
                                                 f"bound {self.bound}, does not follow from "
                                                 f"record {last[0]}: it was changed or inserted")

    def _left_over_end(self) -> None:
        """The records left over before the lower bound end at the anchor."""
        assert self.leftover is not None
        seq, head = self.leftover
        self.leftover = None
        if self.stray is None and (seq, head) != (self.bound - 1, self.anchors[self.bound]):
            self.stray = Failure(seq, "inserted",
                                 f"record {seq}, left over before the lower bound {self.bound},"
                                 f" is not the record whose chain hash the purge's checkpoint "
                                 f"states: it was changed or inserted")

    def _heads(self) -> dict[bytes, int]:
        return {bytes.fromhex(c.chain_head): size for size, due in self.due.items()
                for c in due}

    def _reach(self, seq: int, head: bytes) -> None:
        """The records up to ``seq`` are verified; ``head`` is the chain hash of ``seq``."""
        if seq + 1 in self.builders:
            self.anchors[seq + 1] = head
        for checkpoint in self.due.pop(seq, ()):
            if self.failure is None:
                self._hold_to(checkpoint, head)

    def _hold_to(self, checkpoint: Checkpoint, head: bytes) -> None:
        at = f"the signed checkpoint at size {checkpoint.size} (issued {checkpoint.issued_at})"
        head_ok = checkpoint.chain_head == head.hex()
        lower = checkpoint.lower_bound
        if lower < self.bound:  # its root covers purged records: only the head can be held
            self.partial += 1
            wrong = [] if head_ok else ["chain head"]
            records_differ = not head_ok
        else:
            wrong = [name for name, ok in (
                ("chain head", head_ok),
                ("Merkle root", checkpoint.merkle_root == self.builders[lower].root().hex()),
                ("anchor", checkpoint.anchor == self.anchors[lower].hex())) if not ok]
            # The head depends on everything before it, the root on the bytes in range and the
            # anchor on the records before the range: one of them wrong alone is the
            # checkpoint's own fault, the head with another means the records changed.
            records_differ = "chain head" in wrong and len(wrong) > 1
        if not wrong:
            self.last_good = checkpoint.size
        elif records_differ:
            first = self.last_good + 1
            self.failure = Failure(first, "changed",
                                   f"records {first}..{checkpoint.size} do not match the "
                                   f"{' and '.join(wrong)} of {at}, although their chain "
                                   f"hashes are consistent: a record in that range was "
                                   f"changed, removed, inserted or reordered and the chain "
                                   f"hashes after it recomputed")
        else:
            self.failure = Failure(checkpoint.size, "bad-checkpoint",
                                   f"{at} disagrees with the records only in its "
                                   f"{' and '.join(wrong)}: it was issued wrongly")

    def finish(self) -> Failure | None:
        """The failure found, after the last record."""
        if self.leftover is not None:
            self._left_over_end()
        if self.diagnosis is not None:
            self.failure = self.diagnosis.conclude()
        elif self.failure is None and self.expected - 1 < self.covered:
            present = self.expected - 1
            note = f" (records before {self.bound} were purged)" if self.bound > 1 else ""
            self.failure = Failure(present + 1, "truncated",
                                   f"truncated: checkpoint says {self.covered} records, "
                                   f"{present} present{note}")
        return self.failure

    def warnings(self, ok: bool) -> list[str]:
        notes = []
        last = self.expected - 1
        if ok and last > self.covered:
            notes.append(f"records {self.covered + 1}..{last} are not yet covered by a "
                         f"checkpoint")
        if self.below and self.stray is None:
            notes.append(f"{self.below} records before the lower bound {self.bound} are "
                         f"still present (a purge not finished); they were not checked")
        if self.partial:
            notes.append(f"{self.partial} checkpoint(s) cover purged records: only their "
                         f"signatures, sizes and chain heads could be checked")
        return notes
