"""Holding the trail to its head: the row every append locks and numbers the next record from.

A record deleted at the end after the last checkpoint leaves no trace in the chain, but the
head still says how many were appended; and a head moved back (or its chain hash edited) makes
every later append fail on a number already taken, so the organisation's events are set aside
instead of recorded while the chain itself still verifies. Both show as the head disagreeing
with the last record stored (the verifiers of the database hold them; an export has no head).
"""

from __future__ import annotations

from dataclasses import dataclass

from interlude.audit.domain.model import Failure

__all__ = ["StoredHead", "head_failure"]


@dataclass(frozen=True, slots=True)
class StoredHead:
    """The head row: the last record appended, its chain hash, the first record kept."""

    seq: int
    chain_hash: bytes
    lower_bound: int


def head_failure(head: StoredHead | None, last: tuple[int, bytes] | None) -> Failure | None:
    """What is wrong between the ``head`` (None: no row) and the ``last`` record stored at or
    after the lower bound, as (seq, chain hash) (None: none is)."""
    if head is None:
        if last is None:
            return None  # nothing recorded yet
        return Failure(last[0], "head-changed",
                       f"the trail holds records up to {last[0]} but has no head: the head was "
                       f"deleted, and the next append would number its record 1 and fail")
    present = last[0] if last is not None else head.lower_bound - 1
    if head.seq > present:
        return Failure(present + 1, "truncated",
                       f"truncated: the trail's head says record {head.seq} was appended last, "
                       f"{'no record' if last is None else f'record {present}'} is the last "
                       f"present")
    if head.seq < present:
        return Failure(head.seq + 1, "head-changed",
                       f"the trail's head was moved back to record {head.seq} while records up "
                       f"to {present} are stored: every later append fails on a number already "
                       f"taken, so events are set aside instead of recorded, until it is put back")
    if last is not None and head.chain_hash != last[1]:
        return Failure(present, "head-changed",
                       f"the trail's head holds another chain hash than record {present}: it was "
                       f"edited, and records appended after it would not link to the trail")
    return None
