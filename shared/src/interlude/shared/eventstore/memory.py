"""The in-memory event store: the fake for unit tests, held to the same contract suite."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from interlude.shared.events.envelope import Envelope
from interlude.shared.eventstore.base import (
    Append,
    AppendResult,
    Commit,
    ConcurrencyError,
    Guard,
    Snapshot,
    SubjectRead,
    decode_commit,
    encode_commit,
    message_id,
)


class InMemoryEventStore:
    """A stream in a list. Commits are encoded to bytes like the real one, so an event that
    cannot be encoded fails here too, and nothing of its commit is stored."""

    def __init__(self) -> None:
        self._messages: list[tuple[str, bytes, str]] = []  # position = index + 1
        self._by_subject: dict[str, list[int]] = {}
        self._by_msg_id: dict[str, int] = {}
        self._snapshots: dict[str, Snapshot] = {}
        self._lock = asyncio.Lock()

    async def append(self, subject: str, envelopes: Sequence[Envelope], *,
                     expected_last_seq: int | None,
                     idempotency_key: str | None = None,
                     guard: Guard | None = None) -> AppendResult:
        data = encode_commit(envelopes)
        msg_id = message_id(subject, idempotency_key)
        async with self._lock:
            if msg_id in self._by_msg_id:
                return AppendResult(self._by_msg_id[msg_id], duplicate=True)
            positions = self._by_subject.get(subject, [])
            last = positions[-1] if positions else 0
            if guard is not None:
                if expected_last_seq is not None:
                    raise ValueError("a guarded append cannot also expect its own sequence")
                guarded = self._by_subject.get(guard.subject, [])
                if (guarded[-1] if guarded else 0) != guard.position:
                    raise ConcurrencyError(guard.subject, guard.position)
            elif expected_last_seq is not None and expected_last_seq != last:
                raise ConcurrencyError(subject, expected_last_seq)
            self._messages.append((subject, data, msg_id))
            position = len(self._messages)
            self._by_subject.setdefault(subject, []).append(position)
            self._by_msg_id[msg_id] = position
            return AppendResult(position)

    async def append_many(self, appends: Sequence[Append]
                          ) -> list[AppendResult | ConcurrencyError]:
        if len({a.subject for a in appends}) != len(appends):
            raise ValueError("append_many takes one commit per subject")
        results: list[AppendResult | ConcurrencyError] = []
        for a in appends:
            try:
                results.append(await self.append(a.subject, a.envelopes,
                                                 expected_last_seq=a.expected_last_seq,
                                                 idempotency_key=a.idempotency_key))
            except ConcurrencyError as refused:
                results.append(refused)
        return results

    async def read(self, subject: str, after: int = 0) -> SubjectRead:
        positions = self._by_subject.get(subject, [])
        commits = [self.commit_at(p) for p in positions if p > after]
        return SubjectRead(commits=commits, last_position=positions[-1] if positions else 0)

    def commit_at(self, position: int) -> Commit:
        subject, data, msg_id = self._messages[position - 1]
        return Commit(subject=subject, position=position, envelopes=decode_commit(data),
                      msg_id=msg_id)

    async def last_position(self) -> int:
        return len(self._messages)

    async def get_snapshot(self, subject: str) -> Snapshot | None:
        return self._snapshots.get(subject)

    async def put_snapshot(self, subject: str, snapshot: Snapshot) -> None:
        self._snapshots[subject] = snapshot
