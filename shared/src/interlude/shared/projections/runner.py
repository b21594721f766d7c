"""Runs one projection over one stream: fetch a batch, apply it and move the checkpoint in one
PostgreSQL transaction, then ack.

The checkpoint in PostgreSQL is the truth, not the consumer's ack floor: a batch that was applied
but not acked (a crash between commit and ack) is redelivered and skipped; one that was acked
can't have been lost because the ack comes after the commit. The known nats-py traps are handled
here: ``fetch`` raises on an empty consumer (we loop), the consumer stops silently at
``max_ack_pending`` (we ack every batch, with ack-all), and a pull subscription can go stale
after a server restart (we recreate the consumer from the checkpoint on any failure).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import nats.errors
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from opentelemetry import trace

from interlude.shared.eventstore.base import commit_wire
from interlude.shared.eventstore.streams import StreamSpec
from interlude.shared.projections import checkpoints
from interlude.shared.projections.base import Projection, RecordedEvent, Stalled
from interlude.shared.projections.deadletter import dead_letter, failure_reason
from interlude.shared.projections.partitions import Partition
from interlude.shared.projections.puller import LINGER_S, Puller
from interlude.shared.telemetry import extract_context, tracer

log = logging.getLogger(__name__)

# events a batch may carry while the consumer is far behind (a rebuild, a catch-up after
# downtime): a transaction's fixed cost (checkpoint lock, its write, the commit's fsync, the ack)
# is then spread over ten times more events; a consumer that keeps up uses its own batch size,
# so what it applies waits no longer for company (ADR 0017)
CATCH_UP_BATCH = 2_000

# failures of the infrastructure, not of the event: retry the batch, never dead-letter it
TRANSIENT = (OSError, asyncio.TimeoutError, asyncpg.InterfaceError,
             asyncpg.PostgresConnectionError, asyncpg.exceptions.ConnectionDoesNotExistError,
             nats.errors.Error, Stalled)


class ProjectionRunner:
    """A durable pull consumer ``projection.name`` on ``source`` feeding ``projection``.

    One runner per projection and stream is active at a time, or one per partition
    (:meth:`assign`, ADR 0013); should two ever run, the row lock on the checkpoint keeps them
    from applying a batch twice.
    """

    def __init__(self, projection: Projection, source: StreamSpec, nc: NATS, pool: asyncpg.Pool,
                 *, deadletters: StreamSpec, batch_size: int = 500, fetch_timeout: float = 1.0,
                 linger: float = LINGER_S, catch_up_batch: int = CATCH_UP_BATCH,
                 tracer_provider: trace.TracerProvider | None = None) -> None:
        self.projection = projection
        self.source = source
        self.name = projection.name  # its checkpoint's
        self._durable = projection.name  # its consumer's
        self.partition: Partition | None = None
        self._nc = nc
        self._js = nc.jetstream()
        self._pool = pool
        self._deadletters = deadletters
        self._batch_size = batch_size
        self.catch_up_batch = max(batch_size, catch_up_batch)
        self._fetch_timeout = fetch_timeout
        self._linger = linger  # how long a short batch waits for more (see puller)
        self._tracer = tracer(tracer_provider)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False  # besides cancel(): a library's wait_for may swallow that
        self.position = 0
        self.applied = 0
        self.dead_lettered = 0
        self.failing: str | None = None

    def assign(self, partition: Partition) -> ProjectionRunner:
        """Apply only the events of ``partition``, under that partition's checkpoint and
        consumer; before :meth:`start`."""
        self.partition = partition
        self.name = partition.checkpoint(self.projection.name)
        self._durable = partition.consumer(self.projection.name)
        return self

    # -- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        async with self._pool.acquire() as conn:
            await checkpoints.ensure_table(conn)
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=f"projection {self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._stopping = True
            self._task.cancel()
            try:
                async with asyncio.timeout(10):
                    await asyncio.gather(self._task, return_exceptions=True)
            except TimeoutError:
                log.error("projection %s did not stop within 10s", self.name)
            self._task = None

    async def _run(self, until_caught_up: bool = False) -> None:
        delay = 0.2
        while not self._stopping:
            try:
                await self._consume(until_caught_up)
                return
            except asyncio.CancelledError:
                raise
            except Exception as err:  # keep going: a stalled projection is worse than a retry
                self.failing = f"{type(err).__name__}: {err}"
                log.warning("projection %s failing, retrying in %.1fs: %s", self.name, delay,
                            self.failing)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)  # a restarted server is back within ~1 s

    async def _subscribe(self, at: int | None = None) -> Puller:
        """(Re)create the durable consumer at the checkpoint (or after position ``at``, a
        rebuild's checkpoint not committed yet): after a crash or a server restart it resumes
        exactly where the read model stands, without waiting out ``ack_wait``."""
        if at is not None:
            self.position = at
        else:
            async with self._pool.acquire() as conn:
                # a new partition starts where the unpartitioned projection stood
                await checkpoints.ensure_row(conn, self.name, self.source.name,
                                             like=self.projection.name)
                self.position = await checkpoints.read(conn, self.name, self.source.name)
        with contextlib.suppress(NotFoundError):
            await self._js.delete_consumer(self.source.name, self._durable)
        await self._js.add_consumer(self.source.name, ConsumerConfig(
            durable_name=self._durable, ack_policy=AckPolicy.ALL, ack_wait=30,
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=self.position + 1,
            filter_subject=f"{self.source.prefix}.>",
            max_ack_pending=max(self._batch_size * 4, self.catch_up_batch * 2),
            max_deliver=-1))
        return await Puller(self._nc, self.source.name, self._durable, self._linger).start()

    async def _consume(self, until_caught_up: bool,
                       within: asyncpg.Connection | None = None) -> None:
        """Apply batches as they come (``until_caught_up``: until none is left). ``within``:
        a connection in a transaction already (a rebuild's), each batch then a savepoint in
        it, from the position this runner stands at."""
        puller = await self._subscribe(None if within is None else self.position)
        # one connection for as long as this consumer runs: a pool round per batch (acquire,
        # reset) costs as much as the batch itself when batches are one event
        try:
            async with (contextlib.nullcontext(within) if within is not None
                        else self._pool.acquire()) as conn:
                size = self._batch_size
                while not self._stopping:
                    msgs = await puller.fetch(size, timeout=self._fetch_timeout)
                    if not msgs:
                        self.failing = None
                        if until_caught_up and await self.lag() == 0:
                            return
                        continue
                    await self._handle(conn, msgs)
                    self.failing = None
                    behind = pending_after(msgs[-1])
                    if until_caught_up and behind == 0:
                        return
                    # more than a batch still waits: take bigger ones until it does not
                    size = self.catch_up_batch if behind >= self._batch_size else \
                        self._batch_size
        finally:
            await puller.close()

    # -- one batch --------------------------------------------------------------------------

    async def _handle(self, conn: asyncpg.Connection, msgs: list[Msg]) -> None:
        try:
            try:
                await self._commit(conn, msgs, careful=False)
            except TRANSIENT:
                raise
            except Exception:  # a poison event: again, one commit at a time, to set it aside
                await self._commit(conn, msgs, careful=True)
        except BaseException:
            for msg in msgs:  # hand them back at once rather than after ack_wait
                await _quietly(msg.nak())
            raise
        await msgs[-1].ack()  # ack-all: acknowledges the whole batch
        self.position = max(self.position, stream_position(msgs[-1]))

    async def _commit(self, conn: asyncpg.Connection, msgs: list[Msg], careful: bool) -> None:
        """Apply the batch and move the checkpoint in one transaction. The fast path applies
        it whole (a failure rolls it all back); the careful one puts each commit in a
        savepoint and dead-letters what fails."""
        async with conn.transaction():
            checkpoint = await checkpoints.read(conn, self.name, self.source.name, lock=True)
            if self.partition is None and stream_position(msgs[0]) > checkpoint:
                fresh = msgs  # the usual case: positions only grow within a batch
            else:
                fresh = [m for m in msgs if stream_position(m) > checkpoint and
                         (self.partition is None or self.partition.owns(m.subject))]
            if fresh:
                with self._span(fresh):
                    await (self._apply_carefully(conn, fresh) if careful else
                           self._apply(conn, fresh))
            last = stream_position(msgs[-1])
            if last > checkpoint:
                await checkpoints.write(conn, self.name, self.source.name, last)

    async def _apply(self, conn: asyncpg.Connection, msgs: list[Msg]) -> None:
        events = [e for msg in msgs for e in self._decode(msg)]
        await self.projection.apply(conn, events)
        self.applied += len(events)

    async def _apply_carefully(self, conn: asyncpg.Connection, msgs: list[Msg]) -> None:
        for msg in msgs:
            try:
                group = self._decode(msg)
            except Exception as err:
                await self._dead_letter(msg, f"cannot decode: {type(err).__name__}: {err}")
                continue
            try:
                async with conn.transaction():  # a savepoint: undoes only this commit
                    await self.projection.apply(conn, group)
                self.applied += len(group)
            except TRANSIENT:
                raise
            except Exception as err:
                await self._dead_letter(msg, failure_reason(err))

    def _decode(self, msg: Msg) -> list[RecordedEvent]:
        position = stream_position(msg)
        return [RecordedEvent(wire, self.source.name, msg.subject, position, i)
                for i, wire in enumerate(commit_wire(msg.data))]

    async def _dead_letter(self, msg: Msg, reason: str) -> None:
        # the reason names the error, never the payload: it may hold sealed content
        log.error("projection %s dead-lettered %s #%d: %s", self.name, self.source.name,
                  stream_position(msg), reason)
        await dead_letter(self._js, self._deadletters, projection=self.name,
                          stream=self.source.name, position=stream_position(msg),
                          data=msg.data, reason=reason)
        self.dead_lettered += 1

    def _span(self, msgs: list[Msg]) -> Any:
        """One span per batch, a child of the first traced message's publish."""
        parent = next((m.headers for m in msgs if m.headers and "traceparent" in m.headers), None)
        return self._tracer.start_as_current_span(
            f"project {self.name}", context=extract_context(parent),
            attributes={"interlude.projection": self.name, "messaging.batch.message_count":
                        len(msgs), "interlude.position": stream_position(msgs[-1])})

    # -- observation and rebuild ------------------------------------------------------------

    async def lag(self) -> int:
        """Messages in the stream this projection has not applied yet."""
        info = await self._js.consumer_info(self.source.name, self._durable)
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)

    def status(self) -> dict[str, Any]:
        return {"projection": self.name, "stream": self.source.name, "position": self.position,
                "applied": self.applied, "dead_lettered": self.dead_lettered,
                "failing": self.failing}

    async def catch_up(self) -> None:
        """Apply everything there is now, then return (for rebuilds, tools and tests)."""
        async with self._pool.acquire() as conn:
            await checkpoints.ensure_table(conn)
        self._stopping = False
        await self._run(until_caught_up=True)

    async def rebuild(self, progress: Callable[[str], None] = print,
                      also: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
                      ) -> int:
        """Empty the read model and replay the stream from sequence 1, all in one transaction:
        until it commits, readers see the read model as it was, and a rebuild that fails or is
        interrupted leaves it so (nothing is half built). ``also``: more to do in that
        transaction. Returns the events applied."""
        was_running = self._task is not None
        await self.stop()
        target = int((await self._js.stream_info(self.source.name)).state.last_seq)
        started, before = time.monotonic(), self.applied
        async with self._pool.acquire() as conn:
            await checkpoints.ensure_table(conn)
            await checkpoints.ensure_row(conn, self.name, self.source.name)
            async with conn.transaction():
                await checkpoints.read(conn, self.name, self.source.name, lock=True)
                await self.projection.reset(conn)
                await checkpoints.write(conn, self.name, self.source.name, 0)
                if also is not None:
                    await also(conn)
                self.position, self._stopping = 0, False
                reporter = asyncio.create_task(self._report(progress, target, started, before))
                try:
                    await self._consume(until_caught_up=True, within=conn)
                finally:
                    reporter.cancel()
        done = self.applied - before
        elapsed = max(time.monotonic() - started, 1e-9)
        progress(f"rebuilt {self.name}: {done:,} events to position {self.position:,} "
                 f"in {elapsed:.1f}s ({done / elapsed:,.0f} events/s)")
        if was_running:
            await self.start()
        return done

    async def _report(self, progress: Callable[[str], None], target: int, started: float,
                      before: int) -> None:
        while True:
            await asyncio.sleep(1.0)
            done = self.applied - before
            rate = done / max(time.monotonic() - started, 1e-9)
            share = 100 * self.position / target if target else 100
            progress(f"rebuilding {self.name}: position {self.position:,}/{target:,} "
                     f"({share:.0f}%), {done:,} events, {rate:,.0f} events/s")


def _ack_tokens(msg: Msg) -> list[str]:
    # $JS.ACK.<stream>.<consumer>.<delivered>.<seq>.<cseq>.<ts>.<pending> (9 tokens), or the
    # newer form with domain and account hash after ACK and a random token at the end (12)
    tokens = msg.reply.split(".")
    return tokens if len(tokens) == 9 else tokens[2:11] if len(tokens) >= 11 else []


def stream_position(msg: Msg) -> int:
    """The stream sequence of a delivered message, read cheaply from its reply subject (nats-py's
    ``metadata`` costs ten times more, and a rebuild asks for it once per event)."""
    tokens = _ack_tokens(msg)
    return int(tokens[5]) if tokens else int(msg.metadata.sequence.stream)


def pending_after(msg: Msg) -> int:
    tokens = _ack_tokens(msg)
    return int(tokens[8]) if tokens else int(msg.metadata.num_pending or 0)


async def _quietly(awaitable: Any) -> None:
    with contextlib.suppress(Exception):
        await awaitable
