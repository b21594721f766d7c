"""Publish acks, read straight off the connection: the request every append makes, cheaper.

nats-py's ``request`` hands each reply through its response subscription's queue and task,
then through ``wait_for``: three turns of the event loop before the appender runs again, and
on a busy API each turn waits behind every other ready task. Here one wildcard inbox per
connection takes every ack, and nats-py's read loop passes each to the append waiting for it
(the ``future`` a subscription may be given is told every message at once, on the read loop,
with no queue or task between): one turn. The timeout is a timer on the appender's future,
not ``wait_for`` (which in 3.11 can also swallow a cancellation).

Shared by every store on a connection; :func:`fail_waiting_acks` fails what is waiting when
the connection drops (the acks went with it), as
:func:`~interlude.shared.eventstore.connection.fail_waiting_requests` does for nats-py's own.

**Appends leave in groups of at most :data:`GROUP`.** nats-py writes a publish to the socket
from its flusher task, which runs after every task already ready. On a busy API that is every
other request's next step: eight check-ins in flight were written together, stored one after
another (each with its fsync) while the API, having nothing else to do, waited, and
acknowledged together; the API then ran eight continuations while nats-server waited (a
convoy: 8 publishes per write and 8 acks per read in 9 cycles of 10, 12-24 % of the API's time
idle, measured in ``bench/engagement.py``). Here the append that finds :data:`GROUP`
publishes waiting writes them itself, so nats-server stores the first four while the API
works on the next four. Fewer waiting, nats-py's flusher writes them as before (one write per
turn of the loop). Written alone, each publish (``GROUP`` 1) kept nats-server, the API and
the projections from sharing their work (CPU per check-in up by half, the rate unchanged);
in fours the rate went from 0.40 to 0.54 of the bare route's (ADR 0016).
"""

from __future__ import annotations

import asyncio
import itertools
import re
import weakref
from typing import Any

import nats.errors
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

_NO_RESPONDERS = "503"  # the status nats-server answers with when no stream takes a subject
GROUP = 4  # publishes waiting for nats-py's flusher that the next append writes at once
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # nats-py's rule for header names
_NO_NEWLINES = str.maketrans({"\r": " ", "\n": " "})
_BAD_SUBJECT = re.compile(r"\s")  # what nats-py refuses in a subject it publishes to


class _Dispatch(asyncio.Future[Any]):
    """The ``future`` of the inbox subscription: nats-py calls :meth:`set_result` with each
    message the subscription receives; this passes it on to the append that waits for it."""

    def __init__(self, waiting: dict[str, asyncio.Future[Msg]]) -> None:
        super().__init__()
        self._waiting = waiting

    def set_result(self, msg: Msg, /) -> None:
        waiter = self._waiting.pop(msg.subject, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(msg)

    def cancelled(self) -> bool:  # nats-py asks before every message: never, for this one
        return False


class AckInbox:
    """Requests to JetStream whose replies (acks) come back on one shared inbox."""

    def __init__(self, nc: NATS) -> None:
        self._nc = nc
        self._prefix = nc.new_inbox() + "."
        self._ids = itertools.count()
        self._waiting: dict[str, asyncio.Future[Msg]] = {}
        self._subscribed: asyncio.Future[None] | None = None

    @classmethod
    def of(cls, nc: NATS) -> AckInbox:
        """The connection's inbox (made on first use)."""
        inbox = _INBOXES.get(nc)
        if inbox is None:
            inbox = _INBOXES[nc] = cls(nc)
        return inbox

    async def _subscribe(self) -> None:
        if self._subscribed is None:
            self._subscribed = asyncio.get_running_loop().create_future()
            try:
                await self._nc.subscribe(self._prefix + "*", future=_Dispatch(self._waiting))
            except BaseException as err:
                self._subscribed.set_exception(err)
                self._subscribed.exception()  # told to the waiting ones below, not logged
                self._subscribed = None
                raise
            self._subscribed.set_result(None)
        await self._subscribed

    async def request(self, subject: str, data: bytes, headers: dict[str, str],
                      timeout: float) -> Msg:
        """Publish ``data`` to ``subject`` and answer the reply; raises nats-py's
        ``TimeoutError`` after ``timeout`` s and ``NoRespondersError`` when nothing takes
        the subject, as ``request`` does."""
        if self._subscribed is None or not self._subscribed.done():
            await self._subscribe()
        loop = asyncio.get_running_loop()
        inbox = f"{self._prefix}{next(self._ids)}"
        waiter: asyncio.Future[Msg] = loop.create_future()
        self._waiting[inbox] = waiter
        timer = loop.call_later(timeout, _time_out, waiter)
        try:
            await self._nc.publish(subject, data, reply=inbox, headers=headers)
            write_waiting(self._nc, GROUP)
            msg = await waiter
        finally:
            timer.cancel()
            self._waiting.pop(inbox, None)
        if not msg.data and msg.headers and msg.headers.get("Status") == _NO_RESPONDERS:
            raise nats.errors.NoRespondersError
        return msg

    def fail_waiting(self) -> None:
        for waiter in list(self._waiting.values()):
            if not waiter.done():
                waiter.set_exception(nats.errors.ConnectionReconnectingError())


def write_waiting(nc: NATS, group: int = GROUP) -> bool:
    """Write the publishes waiting for nats-py's flusher now, when ``group`` or more wait and
    the connection is up; answers whether it did. Reaches into nats-py (2.16: ``_pending``,
    ``_pending_data_size``, ``_transport``, what its flusher writes and clears); without them
    it leaves everything to the flusher, as before."""
    pending: list[bytes] | None = getattr(nc, "_pending", None)
    transport = getattr(nc, "_transport", None)
    if pending is None or transport is None or len(pending) < group or not nc.is_connected:
        return False
    transport.writelines(pending)
    nc._pending = []
    nc._pending_data_size = 0
    return True


def header_block(headers: dict[str, str]) -> bytes:
    """``headers`` as a publish carries them (``NATS/1.0``, a ``Name: value`` line each, an
    empty line), made as nats-py makes them; for :func:`publish_block`. Values lose their line
    breaks, as nats-py's do; names must be tokens."""
    lines = []
    for name, value in headers.items():
        if not _HEADER_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a header name")
        lines.append(f"{name}: {value.strip().translate(_NO_NEWLINES)}\r\n")
    return f"NATS/1.0\r\n{''.join(lines)}\r\n".encode()


async def publish_block(nc: NATS, subject: str, data: bytes, headers: dict[str, str],
                        block: bytes) -> None:
    """Publish ``data`` with ``headers`` made into ``block`` beforehand (:func:`header_block`,
    or the same bytes made faster): what nats-py's ``publish`` does, less making the block
    from the dict a header at a time, which cost more than the rest of a publish (5.8 us of a
    batch message's five headers). Reaches into nats-py (2.16: ``_send_command``,
    ``_flush_queue``, ``_flush_pending``, ``stats``, as its ``_send_publish`` uses them);
    without them, while not connected (nats-py then decides whether to buffer or refuse),
    draining, or for a subject or payload nats-py would refuse, it publishes ``headers`` as
    nats-py does (ADR 0017)."""
    send = getattr(nc, "_send_command", None)
    flush = getattr(nc, "_flush_pending", None)
    queue = getattr(nc, "_flush_queue", None)
    if send is None or flush is None or queue is None or not nc.is_connected or \
            nc.is_draining_pubs or len(data) > nc.max_payload or not subject or \
            _BAD_SUBJECT.search(subject):
        await nc.publish(subject, data, headers=headers)
        return
    await send(f"HPUB {subject} {len(block)} {len(block) + len(data)}\r\n".encode() + block +
               data + b"\r\n")
    nc.stats["out_msgs"] += 1
    nc.stats["out_bytes"] += len(data)
    if queue.empty():
        await flush()


def _time_out(waiter: asyncio.Future[Msg]) -> None:
    if not waiter.done():
        waiter.set_exception(nats.errors.TimeoutError())


_INBOXES: weakref.WeakKeyDictionary[NATS, AckInbox] = weakref.WeakKeyDictionary()


def fail_waiting_acks(nc: NATS) -> None:
    """Fail every append on ``nc`` still waiting for its ack (the connection dropped)."""
    inbox = _INBOXES.get(nc)
    if inbox is not None:
        inbox.fail_waiting()
