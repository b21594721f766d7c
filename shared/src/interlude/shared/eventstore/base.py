"""The event store port: what the application layer may ask of the system of record."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from interlude.shared.events.envelope import Envelope
from interlude.shared.ids import new_id


class ConcurrencyError(Exception):
    """Someone else appended to the subject since it was loaded: reload, decide again."""

    def __init__(self, subject: str, expected: int | None) -> None:
        super().__init__(f"{subject} has moved past the expected sequence {expected}")
        self.subject = subject
        self.expected = expected


class StoreUnavailable(Exception):
    """The store did not answer in time, even after retrying with the same message id."""


@dataclass(frozen=True, slots=True)
class Guard:
    """A commit decided on another aggregate's state (a check-in on its contract): the append
    is refused with :class:`ConcurrencyError` when ``subject`` has moved past ``position``, so
    a stale copy of that aggregate (another process ended the contract) cannot let it through.
    It replaces the commit's own expected-sequence check (JetStream checks one subject a
    message), so it suits commits that start a fresh aggregate."""

    subject: str
    position: int


@dataclass(frozen=True, slots=True)
class AppendResult:
    """Where a commit landed. ``duplicate`` is True when an earlier append with the same
    idempotency key already stored it, and ``position`` is then that append's position."""

    position: int
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class Append:
    """One commit of :meth:`EventStore.append_many`: as :meth:`EventStore.append` takes it
    (no guard). ``expected_last_seq`` 0, the default, means the subject must be new."""

    subject: str
    envelopes: Sequence[Envelope]
    expected_last_seq: int | None = 0
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class Commit:
    """One stored commit: the events of one command, at one stream position."""

    subject: str
    position: int
    envelopes: tuple[Envelope, ...]
    msg_id: str = ""


@dataclass(frozen=True, slots=True)
class SubjectRead:
    """The commits of one subject after some position, and the subject's last position."""

    commits: list[Commit] = field(default_factory=list)
    last_position: int = 0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An aggregate's state as of ``position``; ``version`` is the state's schema version."""

    position: int
    version: int
    state: bytes


def message_id(subject: str, idempotency_key: str | None) -> str:
    """The de-duplication id of a commit: derived from the client's key when it gave one, so a
    retried request maps to the same id; ASCII whatever the key holds."""
    if idempotency_key is None:
        return new_id()
    return hashlib.sha256(f"{subject}\x00{idempotency_key}".encode()).hexdigest()[:40]


def encode_commit(envelopes: Sequence[Envelope]) -> bytes:
    """All events of a commit in one message: they are stored together or not at all."""
    if not envelopes:
        raise ValueError("a commit needs at least one event")
    return orjson.dumps({"events": [e.to_wire() for e in envelopes]})


def decode_commit(data: bytes) -> tuple[Envelope, ...]:
    return tuple(Envelope.from_wire(e) for e in commit_wire(data))


def commit_wire(data: bytes) -> list[dict[str, Any]]:
    """The events of a commit as wire dicts, unchecked: a consumer that finds one malformed
    fails on it and dead-letters the commit, which is cheaper than checking every event."""
    events = orjson.loads(data)["events"]
    if not isinstance(events, list) or not events:
        raise ValueError("a commit holds a non-empty list of events")
    return events


class EventStore(Protocol):
    """One service's stream. Positions are stream sequences: global within the stream,
    increasing, and the subject's last position is what optimistic concurrency compares."""

    async def append(self, subject: str, envelopes: Sequence[Envelope], *,
                     expected_last_seq: int | None,
                     idempotency_key: str | None = None,
                     guard: Guard | None = None) -> AppendResult:
        """Store ``envelopes`` as one commit. ``expected_last_seq`` 0 means the subject must be
        new, None means no check; ``guard`` checks another subject instead (not both). Raises
        :class:`ConcurrencyError` when the expectation is stale."""
        ...

    async def append_many(self, appends: Sequence[Append]
                          ) -> list[AppendResult | ConcurrencyError]:
        """Store each of ``appends`` (one commit per subject, no subject twice) as
        :meth:`append` would, each decided alone: it lands, is the duplicate of an earlier
        append with its idempotency key, or is refused; the answer in its place is its
        :class:`AppendResult` or its :class:`ConcurrencyError` (returned, not raised). When it
        returns, every commit that landed is as durable as one :meth:`append`; it is not atomic
        as a whole, so a caller that fails midway and tries again gets duplicates for what
        landed. Raises what :meth:`append` raises when the store cannot be reached."""
        ...

    async def read(self, subject: str, after: int = 0) -> SubjectRead:
        """The commits of ``subject`` with a position greater than ``after``, in order."""
        ...

    async def last_position(self) -> int:
        """The stream's last position (0 when empty)."""
        ...

    async def get_snapshot(self, subject: str) -> Snapshot | None: ...

    async def put_snapshot(self, subject: str, snapshot: Snapshot) -> None: ...
