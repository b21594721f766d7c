"""The JetStream event store: one stream per service, one subject per aggregate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from nats.aio.client import Client as NATS
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import APIError, KeyNotFoundError, NotFoundError
from nats.js.kv import KeyValue

from interlude.shared.events.envelope import Envelope
from interlude.shared.eventstore.acks import AckInbox, header_block, publish_block
from interlude.shared.eventstore.base import (
    Append,
    AppendResult,
    Commit,
    ConcurrencyError,
    Guard,
    Snapshot,
    StoreUnavailable,
    SubjectRead,
    decode_commit,
    encode_commit,
    message_id,
)
from interlude.shared.eventstore.connection import NATS_UNAVAILABLE, require_connection
from interlude.shared.eventstore.direct import DirectReader
from interlude.shared.eventstore.streams import StreamSpec, ensure_stream
from interlude.shared.ids import new_id
from interlude.shared.telemetry import inject_headers

WRONG_LAST_SEQUENCE = 10071
BATCH_NOT_ENABLED = 10174  # the stream does not allow atomic batches
BATCH_INCOMPLETE = 10176  # a message of the batch went astray: send it all again
BATCH_HAS_DUPLICATE = 10201  # a message of an atomic batch repeats a stored message id
BATCH_SIZE = 500  # messages per atomic batch (nats-server takes up to 1,000)
_BLOCK_START = b"NATS/1.0\r\n"
_RETRYABLE: tuple[type[Exception], ...] = (*NATS_UNAVAILABLE, TimeoutError)


class JetStreamEventStore:
    """Appends commits with optimistic concurrency and de-duplication; reads subjects with one
    batched direct get; keeps snapshots in a key-value bucket beside the stream.

    Every call is bounded: with NATS gone an append or a read raises :class:`StoreUnavailable`
    at once (not connected) or within ``publish_timeout`` (connection lost mid-request). While
    connected, an append that gets no ack is retried with the same message id for up to
    ``retry_for``, which cannot store it twice. That rides out most of a stream leader election
    (6-8 s here) while the whole wait stays under a typical client's 10 s; a longer one answers
    503 and the client's retry with its Idempotency-Key lands once.
    """

    def __init__(self, nc: NATS, stream: StreamSpec, snapshots: KeyValue, *,
                 publish_timeout: float = 2.0, retry_for: float = 6.0) -> None:
        self._nc = nc
        self._js = nc.jetstream(timeout=publish_timeout)
        self.stream = stream
        self._snapshots = snapshots
        self._reader = DirectReader(nc, stream.name)
        self._acks = AckInbox.of(nc)
        self._publish_timeout = publish_timeout
        self._retry_for = retry_for

    @classmethod
    async def open(cls, nc: NATS, stream: StreamSpec, replicas: int = 1,
                   **options: float) -> JetStreamEventStore:
        """Ensure the stream and its snapshot bucket exist, then return a store on them."""
        js = nc.jetstream(timeout=2.0)  # the snapshot bucket's reads and writes use it too
        await ensure_stream(js, stream, replicas)
        bucket = f"SNAP_{stream.name}"
        try:
            kv = await js.key_value(bucket)
        except (NotFoundError, APIError):
            kv = await js.create_key_value(KeyValueConfig(
                bucket=bucket, history=1, storage=StorageType.FILE, replicas=replicas,
                direct=True, description=f"aggregate snapshots of {stream.name}"))
        return cls(nc, stream, kv, **options)

    async def append(self, subject: str, envelopes: Sequence[Envelope], *,
                     expected_last_seq: int | None,
                     idempotency_key: str | None = None,
                     guard: Guard | None = None) -> AppendResult:
        data = encode_commit(envelopes)
        msg_id = message_id(subject, idempotency_key)
        headers = {"Nats-Msg-Id": msg_id, "Nats-Expected-Stream": self.stream.name}
        if guard is not None:
            if expected_last_seq is not None:
                raise ValueError("a guarded append cannot also expect its own subject's sequence")
            # nats-server 2.11+: the expected last sequence of another subject of the stream
            headers["Nats-Expected-Last-Subject-Sequence"] = str(guard.position)
            headers["Nats-Expected-Last-Subject-Sequence-Subject"] = guard.subject
        elif expected_last_seq is not None:
            headers["Nats-Expected-Last-Subject-Sequence"] = str(expected_last_seq)
        inject_headers(headers)
        deadline = time.monotonic() + self._retry_for
        while True:
            require_connection(self._nc, f"append to {self.stream.name}")
            try:
                # a request and the ack read with orjson: what js.publish does, less its
                # JSON module, its PubAck dataclass and two turns of the event loop
                reply = orjson.loads((await self._acks.request(
                    subject, data, headers, self._publish_timeout)).data)
                if "error" in reply:  # raises the error's class (503, 500, ...) as js.publish
                    APIError.from_error(reply["error"])
                return AppendResult(int(reply["seq"]), duplicate=bool(reply.get("duplicate")))
            except APIError as err:
                if err.err_code == WRONG_LAST_SEQUENCE:
                    return await self._own_commit_or_conflict(subject, msg_id, expected_last_seq,
                                                              guard)
                if err.code != 503 or time.monotonic() > deadline:
                    raise
            except _RETRYABLE as err:
                # the same message id makes the retry safe: it cannot be stored twice; but
                # without a connection there is nobody to retry with: answer now
                if not self._nc.is_connected or time.monotonic() > deadline:
                    raise StoreUnavailable(f"append to {self.stream.name} failed: "
                                           f"{type(err).__name__}") from err
            await asyncio.sleep(0.25)

    async def append_many(self, appends: Sequence[Append]
                          ) -> list[AppendResult | ConcurrencyError]:
        """Each commit its own message on its own subject, sent as atomic batches (ADR-50,
        nats-server 2.12+, ``allow_atomic`` on the stream): the server checks every message's
        expected sequence and message id, stores the batch whole or not at all, and
        acknowledges it once: one round trip per batch instead of one per commit. Not one
        disk flush, though: a single server (R1, file storage) stages the batch in a store of
        its own and then writes each message as a plain publish would, each flushed with
        ``sync_interval: always`` (nats-server 2.15, ``processJetStreamAtomicBatchMsg``).
        That staging costs the server more per message than single publishes do, so appends
        that merely happen at once (concurrent requests) are not batched: measured on our
        2 cores with 8 in flight, batching them raised the server's CPU per append from ~150
        to ~210 us and cut the rate by a sixth. A batch refused because some of its subjects moved
        or some commits were stored before (a retry) is settled: those are answered as
        conflicts or duplicates and the rest sent again."""
        if len({a.subject for a in appends}) != len(appends):
            raise ValueError("append_many takes one commit per subject")
        results: list[AppendResult | ConcurrencyError | None] = [None] * len(appends)
        todo = [_Pending(i, a, encode_commit(a.envelopes),
                         message_id(a.subject, a.idempotency_key))
                for i, a in enumerate(appends)]
        for start in range(0, len(todo), BATCH_SIZE):
            await self._append_batch(todo[start:start + BATCH_SIZE], results)
        answered = [r for r in results if r is not None]
        assert len(answered) == len(appends), "every commit is answered"
        return answered

    async def _append_batch(self, todo: list[_Pending],
                            results: list[AppendResult | ConcurrencyError | None]) -> None:
        deadline = time.monotonic() + self._retry_for
        while len(todo) > 1:
            require_connection(self._nc, f"append to {self.stream.name}")
            try:
                last = await self._publish_batch(todo)
            except _Unbatched as stored:  # a server before 2.12 stored the first alone
                results[todo[0].index] = stored.result
                todo = todo[1:]
                break
            except APIError as err:
                if err.err_code == BATCH_NOT_ENABLED:
                    break
                if err.err_code in (WRONG_LAST_SEQUENCE, BATCH_HAS_DUPLICATE):
                    settled = await self._settle(todo, results)
                    if len(settled) == len(todo):  # nothing to tell apart: one at a time
                        break
                    todo = settled
                    continue
                if (err.code != 503 and err.err_code != BATCH_INCOMPLETE) or \
                        time.monotonic() > deadline:
                    raise
            except _RETRYABLE as err:
                if not self._nc.is_connected or time.monotonic() > deadline:
                    raise StoreUnavailable(f"append to {self.stream.name} failed: "
                                           f"{type(err).__name__}") from err
            else:
                # a committed batch takes consecutive positions, ending at the ack's
                for k, p in enumerate(todo):
                    results[p.index] = AppendResult(last - len(todo) + 1 + k)
                return
            await asyncio.sleep(0.25)
        for p in todo:  # one at a time: the server cannot batch, or a conflict to find
            try:
                results[p.index] = await self.append(
                    p.append.subject, p.append.envelopes,
                    expected_last_seq=p.append.expected_last_seq,
                    idempotency_key=p.append.idempotency_key)
            except ConcurrencyError as refused:
                results[p.index] = refused

    async def _publish_batch(self, todo: list[_Pending]) -> int:
        """One atomic batch: the first message is a request (the server answers nothing, or
        why it refuses), the middle ones are sent without waiting, the last commits and gets
        the batch's ack. Answers the last message's stream position."""
        batch_id = new_id()
        traced = inject_headers({})  # the trace context, once for the whole batch
        # the headers every message of the batch shares, made once (see publish_block)
        shared = header_block({"Nats-Expected-Stream": self.stream.name,
                               "Nats-Batch-Id": batch_id, **traced})[len(_BLOCK_START):]
        for k, p in enumerate(todo, start=1):
            headers = {"Nats-Msg-Id": p.msg_id, "Nats-Expected-Stream": self.stream.name,
                       "Nats-Batch-Id": batch_id, "Nats-Batch-Sequence": str(k)}
            expected = p.append.expected_last_seq
            if expected is not None:
                headers["Nats-Expected-Last-Subject-Sequence"] = str(expected)
            if traced:
                headers.update(traced)
            if 1 < k < len(todo):
                own = f"NATS/1.0\r\nNats-Msg-Id: {p.msg_id}\r\nNats-Batch-Sequence: {k}\r\n"
                if expected is not None:
                    own += f"Nats-Expected-Last-Subject-Sequence: {expected}\r\n"
                await publish_block(self._nc, p.append.subject, p.data, headers,
                                    own.encode() + shared)
                continue
            if k == len(todo):
                headers["Nats-Batch-Commit"] = "1"
            reply = await self._acks.request(p.append.subject, p.data, headers,
                                             self._publish_timeout)
            answer = orjson.loads(reply.data) if reply.data else {}
            if "error" in answer:
                raise APIError.from_error(answer["error"])
            if k == len(todo):
                return int(answer["seq"])
            if answer:
                raise _Unbatched(AppendResult(int(answer["seq"]),
                                              duplicate=bool(answer.get("duplicate"))))
        raise AssertionError("unreachable")

    async def _settle(self, todo: list[_Pending],
                      results: list[AppendResult | ConcurrencyError | None]) -> list[_Pending]:
        """After a refused batch: the commits stored already (their message id is on their
        subject) are duplicates, those whose subject moved are conflicts; answers the rest."""

        async def settled(p: _Pending) -> bool:
            expected = p.append.expected_last_seq
            messages, _ = await self._reader.after(p.append.subject, expected or 0)
            own = next((m for m in messages if m.headers.get("Nats-Msg-Id") == p.msg_id), None)
            if own is not None:
                results[p.index] = AppendResult(own.seq, duplicate=True)
            elif messages and expected is not None:
                results[p.index] = ConcurrencyError(p.append.subject, expected)
            else:
                return False
            return True

        done = await asyncio.gather(*(settled(p) for p in todo))
        return [p for p, d in zip(todo, done, strict=True) if not d]

    async def _own_commit_or_conflict(self, subject: str, msg_id: str, expected: int | None,
                                      guard: Guard | None = None) -> AppendResult:
        """A stale expectation may be our own earlier attempt that did land (a retry after a
        lost ack): look for our message id after the expected sequence first."""
        messages, _ = await self._reader.after(subject, expected or 0)
        for message in messages:
            if message.headers.get("Nats-Msg-Id") == msg_id:
                return AppendResult(message.seq, duplicate=True)
        if guard is not None:
            raise ConcurrencyError(guard.subject, guard.position)
        raise ConcurrencyError(subject, expected)

    async def read(self, subject: str, after: int = 0) -> SubjectRead:
        """The commits of ``subject`` after ``after``. Walked back from its last message (a
        get per commit: what a load costs follows the aggregate's tail since its snapshot,
        not how much the stream took in meanwhile), or scanned where the chain breaks."""
        walked = await self._reader.back_from_last(subject, after)
        if walked is None:
            messages, last = await self._reader.after(subject, after)
        else:
            messages, last = walked, (walked[-1].seq if walked else None)
        commits = [Commit(subject=subject, position=m.seq, envelopes=decode_commit(m.data),
                          msg_id=m.headers.get("Nats-Msg-Id", "")) for m in messages]
        return SubjectRead(commits=commits, last_position=last if last is not None else after)

    async def last_position(self) -> int:
        require_connection(self._nc, f"stream info of {self.stream.name}")
        info = await self._js.stream_info(self.stream.name)
        return int(info.state.last_seq)

    async def get_snapshot(self, subject: str) -> Snapshot | None:
        require_connection(self._nc, f"snapshot from {self.stream.name}")
        try:
            entry = await self._snapshots.get(subject)
        except (KeyNotFoundError, NotFoundError):
            return None
        if not entry.value:
            return None
        position, version, state = entry.value.split(b":", 2)
        return Snapshot(position=int(position), version=int(version), state=state)

    async def put_snapshot(self, subject: str, snapshot: Snapshot) -> None:
        value = f"{snapshot.position}:{snapshot.version}:".encode() + snapshot.state
        await self._snapshots.put(subject, value)


@dataclass(frozen=True, slots=True)
class _Pending:
    """A commit of :meth:`JetStreamEventStore.append_many` on its way: its place in the
    answer, its bytes and its message id."""

    index: int
    append: Append
    data: bytes
    msg_id: str


class _Unbatched(Exception):
    """The first message of a batch was stored on its own: the server knows no batches."""

    def __init__(self, result: AppendResult) -> None:
        super().__init__("stored alone")
        self.result = result
