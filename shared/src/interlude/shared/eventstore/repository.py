"""Loading and saving aggregates: cache, snapshots and the optimistic-concurrency loop.

A warm load is served from an in-process cache; the expected-sequence check on append keeps a
stale cache safe (a conflict evicts and reloads). A cold load reads the latest snapshot and only
the tail of events after it, so its cost does not grow with the aggregate's history.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import CommandContext
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.eventstore.base import (
    Append,
    AppendResult,
    ConcurrencyError,
    EventStore,
    Guard,
    Snapshot,
)
from interlude.shared.eventstore.streams import StreamSpec

S = TypeVar("S")
Decide = Callable[[S], Sequence[Event] | Awaitable[Sequence[Event]]]


@dataclass(frozen=True, slots=True)
class Created:
    """The first commit of a new aggregate, for :meth:`Repository.create_many`."""

    tenant: str
    aggregate_id: str
    events: Sequence[Event]
    ctx: CommandContext
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class Loaded(Generic[S]):
    """An aggregate's state and the position of its last commit (0: it does not exist yet)."""

    subject: str
    aggregate_id: str
    state: S
    version: int
    since_snapshot: int = 0


class Repository(Generic[S]):
    """Aggregates of one kind in one service's stream."""

    def __init__(self, store: EventStore, stream: StreamSpec, spec: AggregateSpec[S],
                 codec: EventCodec, *, cache_size: int = 10_000, snapshot_every: int = 16) -> None:
        self.store = store
        self.stream = stream
        self.spec = spec
        self.codec = codec
        self._cache: OrderedDict[str, Loaded[S]] = OrderedDict()
        self._cache_size = cache_size
        self._snapshot_every = snapshot_every
        self._background: set[asyncio.Task[None]] = set()
        # counts evictions: a load that read the store while one happened may hold what was
        # just replaced, so it answers but is not cached
        self._evictions = 0

    def subject(self, tenant: str, aggregate_id: str) -> str:
        return self.stream.subject(tenant, self.spec.name, aggregate_id)

    async def load(self, tenant: str, aggregate_id: str, *, use_cache: bool = True) -> Loaded[S]:
        subject = self.subject(tenant, aggregate_id)
        if use_cache and (hit := self._cache.get(subject)) is not None:
            self._cache.move_to_end(subject)
            return hit
        evictions = self._evictions
        state, after = self.spec.initial(), 0
        snapshot = await self.store.get_snapshot(subject)
        if snapshot is not None and snapshot.version == self.spec.snapshot_version:
            state, after = self.spec.load_state(snapshot.state), snapshot.position
        read = await self.store.read(subject, after)
        tail = 0
        for commit in read.commits:
            for envelope in commit.envelopes:
                state = self.spec.evolve(state, await self.codec.decode(envelope))
                tail += 1
        if tail >= self._snapshot_every:  # the next cold load need not replay this again
            self._snapshot_later(subject, state, read.last_position)
            tail = 0
        loaded = Loaded(subject, aggregate_id, state, read.last_position, tail)
        if evictions == self._evictions:
            self._remember(loaded)
        return loaded

    async def current(self, tenant: str, aggregate_id: str) -> Loaded[S]:
        """The aggregate as it stands now, even when another process (a worker, another API
        replica) appended since it was cached: the cached state plus whatever its subject
        holds after it, read in one round trip (an empty tail costs one direct get). For
        decisions that no append of this subject will check, such as who may read."""
        subject = self.subject(tenant, aggregate_id)
        cached = self._cache.get(subject)
        if cached is None:
            return await self.load(tenant, aggregate_id)
        evictions = self._evictions
        read = await self.store.read(subject, cached.version)
        if not read.commits:
            self._cache.move_to_end(subject)
            return cached
        state, tail = cached.state, cached.since_snapshot
        for commit in read.commits:
            for envelope in commit.envelopes:
                state = self.spec.evolve(state, await self.codec.decode(envelope))
                tail += 1
        loaded = Loaded(subject, aggregate_id, state, read.last_position, tail)
        if evictions == self._evictions:
            self._remember(loaded)
        return loaded

    async def append(self, loaded: Loaded[S], events: Sequence[Event], ctx: CommandContext,
                     idempotency_key: str | None = None,
                     guard: Guard | None = None) -> AppendResult:
        """Append ``events`` as one commit, expecting nobody wrote since ``loaded`` (or, with
        ``guard``, since the aggregate the decision was made on)."""
        envelopes = [await self.codec.encode(e, ctx, loaded.aggregate_id) for e in events]
        try:
            result = await self.store.append(
                loaded.subject, envelopes, idempotency_key=idempotency_key, guard=guard,
                expected_last_seq=None if guard is not None else loaded.version)
        except ConcurrencyError:
            self._cache.pop(loaded.subject, None)
            raise
        self._landed(loaded, events, result)
        return result

    def _landed(self, loaded: Loaded[S], events: Sequence[Event], result: AppendResult) -> None:
        """Cache the aggregate as the commit left it."""
        if result.duplicate:  # an earlier attempt stored it; our cached view may be behind
            self._cache.pop(loaded.subject, None)
            return
        state = self.spec.replay(loaded.state, list(events))
        since = loaded.since_snapshot + len(events)
        if since >= self._snapshot_every:
            self._snapshot_later(loaded.subject, state, result.position)
            since = 0
        self._remember(Loaded(loaded.subject, loaded.aggregate_id, state, result.position, since))

    async def create(self, tenant: str, aggregate_id: str, events: Sequence[Event],
                     ctx: CommandContext, idempotency_key: str | None = None,
                     on: Loaded[Any] | None = None) -> AppendResult:
        """The first commit of a new aggregate, without reading it first: its id is fresh
        (random, or derived from the idempotency key so a retry names the same one), so the
        append expects an empty subject and a taken id is a :class:`ConcurrencyError`. With
        ``on`` (the aggregate the decision was made on: a check-in's contract), the append
        expects that one unchanged instead, and a :class:`ConcurrencyError` names it."""
        empty = Loaded(self.subject(tenant, aggregate_id), aggregate_id, self.spec.initial(), 0)
        guard = Guard(on.subject, on.version) if on is not None else None
        return await self.append(empty, events, ctx, idempotency_key, guard)

    async def create_many(self, created: Sequence[Created]
                          ) -> list[AppendResult | ConcurrencyError]:
        """:meth:`create` (without ``on``) for many new aggregates at once, through the store's
        :meth:`~interlude.shared.eventstore.base.EventStore.append_many`: far fewer round trips
        and disk flushes than one create each. Each is decided alone: a taken id answers its
        :class:`ConcurrencyError` in its place (returned, not raised), a retried one its
        duplicate."""
        empties = [Loaded(self.subject(c.tenant, c.aggregate_id), c.aggregate_id,
                          self.spec.initial(), 0) for c in created]
        appends = [Append(e.subject, [await self.codec.encode(event, c.ctx, c.aggregate_id)
                                      for event in c.events],
                          expected_last_seq=0, idempotency_key=c.idempotency_key)
                   for e, c in zip(empties, created, strict=True)]
        results = await self.store.append_many(appends)
        for loaded, c, result in zip(empties, created, results, strict=True):
            if isinstance(result, ConcurrencyError):
                self._cache.pop(loaded.subject, None)
            else:
                self._landed(loaded, c.events, result)
        return results

    async def execute(self, tenant: str, aggregate_id: str, decide: Decide[S],
                      ctx: CommandContext, idempotency_key: str | None = None,
                      attempts: int = 4) -> AppendResult | None:
        """Load, decide, append; on a conflict reload and decide again. Returns None when the
        decision produced no events. Raises :class:`ConcurrencyError` after ``attempts``."""
        for attempt in range(attempts):
            loaded = await self.load(tenant, aggregate_id, use_cache=attempt == 0)
            outcome = decide(loaded.state)
            events = await outcome if isinstance(outcome, Awaitable) else outcome
            if not events:
                return None
            try:
                return await self.append(loaded, events, ctx, idempotency_key)
            except ConcurrencyError:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    async def execute_position(self, tenant: str, aggregate_id: str, decide: Decide[S],
                               ctx: CommandContext, idempotency_key: str | None = None) -> int:
        """:meth:`execute`, answering the position a read should wait for: the new commit's,
        or, when the decision changed nothing, the aggregate's last one."""
        result = await self.execute(tenant, aggregate_id, decide, ctx, idempotency_key)
        if result is not None:
            return result.position
        return (await self.load(tenant, aggregate_id)).version

    def evict(self, subject: str) -> None:
        """Forget the cached state of ``subject``: the next load reads it from the store."""
        self._cache.pop(subject, None)
        self._evictions += 1

    async def follow(self, nc: NATS) -> Subscription:
        """Keep the cache fresh across processes: a core-NATS subscription to every subject of
        this kind evicts the cached aggregate whenever anyone (another API replica, a worker,
        this process) appends to it. For aggregates whose state other subjects' commands
        decide from (a check-in reads its contract), where no expected-sequence check would
        catch a stale cache. Unsubscribe at shutdown."""

        async def evict(msg: Msg) -> None:
            self.evict(msg.subject)

        return await nc.subscribe(f"{self.stream.prefix}.*.{self.spec.name}.*", cb=evict)

    def _remember(self, loaded: Loaded[S]) -> None:
        self._cache[loaded.subject] = loaded
        self._cache.move_to_end(loaded.subject)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _snapshot_later(self, subject: str, state: S, position: int) -> None:
        """Snapshots are a cache: written off the request path, and losing one costs only a
        longer replay."""
        snapshot = Snapshot(position, self.spec.snapshot_version, self.spec.dump_state(state))
        task = asyncio.create_task(self.store.put_snapshot(subject, snapshot))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def flush(self) -> None:
        """Wait for pending snapshot writes (at shutdown, and in tests)."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
