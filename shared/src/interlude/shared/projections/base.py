"""What a projection is: named, fed events in batches inside one transaction, resettable."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, TypeVar

import asyncpg

from interlude.shared.db import quote_ident
from interlude.shared.events.envelope import Envelope
from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.projections.typed import Reading, handler_name

E = TypeVar("E", bound=Event)
Handler = Callable[[asyncpg.Connection, "RecordedEvent"], Awaitable[None]]


class RecordedEvent:
    """An event as a consumer sees it: its envelope and where it was stored. All events of one
    commit share a ``position``; ``index`` orders them within it.

    The full :class:`Envelope` is built on first use: a rebuild that only needs the type, the
    ids and the payload skips the cost of building it (a third of the time per event). So is
    :attr:`event`, the decoded and upcast event a typed projection's handlers read; ``payload``
    (the raw wire dict) stays for projections not yet typed, and for those that need the bytes.
    """

    __slots__ = ("_decoded", "_envelope", "index", "position", "stream", "subject", "wire")

    def __init__(self, wire: dict[str, Any], stream: str, subject: str, position: int,
                 index: int) -> None:
        self.wire = wire
        self.stream = stream
        self.subject = subject
        self.position = position
        self.index = index
        self._envelope: Envelope | None = None
        self._decoded: tuple[Reading, Event] | None = None

    @property
    def envelope(self) -> Envelope:
        if self._envelope is None:
            self._envelope = Envelope.from_wire(self.wire)
        return self._envelope

    def decode(self, reading: Reading) -> Event:
        """The event decoded by ``reading``'s registries (upcast, sealed fields kept sealed);
        decoded once for all the projections of one consumer that read the same registries
        (a read model and the reactions in step with it)."""
        if self._decoded is None or (self._decoded[0] is not reading and
                                     self._decoded[0].registries != reading.registries):
            self._decoded = (reading, reading.decode(self.wire))
        return self._decoded[1]

    @property
    def event(self) -> Event:
        """The decoded event, for a projection that declares the registries it reads."""
        if self._decoded is None:
            raise RuntimeError(f"{self!r} was not decoded: its projection declares no `reads`")
        return self._decoded[1]

    def of(self, cls: type[E]) -> E:
        """The decoded event, which must be a ``cls`` (for a handler of that type)."""
        event = self.event
        if not isinstance(event, cls):
            raise TypeError(f"{self!r} decoded as {type(event).__name__}, not {cls.__name__}")
        return event

    @property
    def type(self) -> str:
        return str(self.wire["type"])

    @property
    def tenant_id(self) -> str:
        return str(self.wire["tenant_id"])

    @property
    def aggregate_id(self) -> str:
        return str(self.wire["aggregate_id"])

    @property
    def payload(self) -> dict[str, Any]:
        return self.wire.get("payload") or {}

    def __repr__(self) -> str:  # never the payload: it may hold sealed content
        return f"RecordedEvent({self.type} at {self.stream}#{self.position}.{self.index})"


class Stalled(Exception):
    """Raised by a projection whose events are sound but cannot be applied until something
    outside them is put right (its own state edited by hand, say): the runner retries the
    batch, logging why, and never dead-letters it, so nothing is lost meanwhile."""


class Projection:
    """Base of a read model. Subclasses name themselves (the durable consumer is called after
    ``name``: ``<service>-<projection>``), list the ``tables`` a rebuild empties, and define
    ``on_<event>`` methods, or override :meth:`apply` to write a whole batch at once.

    Handlers must be idempotent per event only through the runner: it skips what its
    checkpoint has already seen, so a handler never sees the same event twice.

    A typed projection lists the registries it ``reads`` (see :mod:`.typed`) and may claim
    event types it ``handles``; it is checked when built (:class:`~.typed.Misdeclared` names
    the handler or type at fault), and its handlers read ``event.event``, decoded and upcast.
    One that keeps the raw wire payload on purpose (audit chains the bytes) says ``raw = True``.
    Without either, handlers read ``event.payload`` as before and nothing is checked.

    One whose effects a replay would repeat (it appends events, or its rows are a record of
    their own rather than a view of the stream) says ``rebuildable = False``: the worker's
    ``rebuild`` command refuses it. ``runs_in`` names the process that runs it (``worker``, or
    ``api`` for the trust projection), for the command to say which one to stop first.
    """

    name: ClassVar[str] = ""
    tables: ClassVar[tuple[str, ...]] = ()
    reads: ClassVar[tuple[EventRegistry, ...]] = ()
    handles: ClassVar[tuple[str, ...]] = ()
    raw: ClassVar[bool] = False
    rebuildable: ClassVar[bool] = True
    runs_in: ClassVar[str] = "worker"

    def __init__(self) -> None:
        self._handlers: dict[str, Handler | None] = {}
        self._reading: Reading | None = None
        if self.reads:
            if self.raw:
                raise TypeError(f"projection {self.name}: raw, yet it reads typed events")
            self._reading = Reading(self.reads)
            self._reading.check(self, self.name or type(self).__name__, self.handles)

    def decoded(self, event: RecordedEvent) -> Event | None:
        """``event`` decoded for this projection; None if it reads no typed events."""
        return None if self._reading is None else event.decode(self._reading)

    def _handler(self, event_type: str) -> Handler | None:
        if event_type not in self._handlers:
            unread = self._reading is not None and not self._reading.knows(event_type)
            self._handlers[event_type] = None if unread else \
                getattr(self, handler_name(event_type), None)
        return self._handlers[event_type]

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        """Write the effect of ``events`` in order; the caller holds the transaction."""
        for event in events:
            handler = self._handler(event.type)
            if handler is not None:
                self.decoded(event)  # only events with a handler pay for decoding
                await handler(conn, event)

    async def reset(self, conn: asyncpg.Connection) -> None:
        """Empty the read model before a rebuild."""
        for table in self.tables:
            await conn.execute(f"DELETE FROM {quote_ident(table)}")

    def describe(self) -> dict[str, Any]:
        events = "raw" if self.raw else "typed" if self.reads else "payload"
        return {"name": self.name, "tables": list(self.tables), "events": events}


class Together(Projection):
    """Several read models of one stream fed by one consumer, in one transaction per batch:
    one fetch, one commit and one checkpoint instead of one each. Each part keeps its own
    tables and handlers; a rebuild rebuilds them all."""

    def __init__(self, name: str, *parts: Projection) -> None:
        super().__init__()
        self.name = name  # type: ignore[misc]
        self.tables = tuple(t for p in parts for t in p.tables)  # type: ignore[misc]
        self.rebuildable = all(p.rebuildable for p in parts)  # type: ignore[misc]
        self.parts = parts
        # parts that read the same registries share one Reading, so an event they all handle
        # is decoded once (RecordedEvent keeps the decoding of one Reading), not once a part
        readings: dict[tuple[EventRegistry, ...], Reading] = {}
        for part in parts:
            if part._reading is not None:
                part._reading = readings.setdefault(part.reads, part._reading)

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        for part in self.parts:
            await part.apply(conn, events)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "parts": [p.describe() for p in self.parts]}
