"""Pulling from a durable consumer at the speed of a subscription callback.

nats-py's ``fetch`` takes every message through ``next_msg`` (a ``wait_for`` per message), which
capped catch-up at ~15,000 messages/s here against ~100,000/s for a plain callback. This puller
sends the same pull requests on one inbox of its own and gathers replies in a callback:

- ``no_wait`` requests take whatever is there now (ending with a 404 when short): catching up,
  batches come whole and while the caller works on one the next request is already on its way;
- when the stream runs dry, one long poll for a whole batch stays open: the server hands it
  each message as it is stored, for as many fetches as it takes to fill it, so a projection
  keeping up sends no request and gets no 404 per event;
- while messages come close together (on average less than four lingers apart, over 125/s), a
  fetch that has some but not a batch waits ``linger`` seconds (2 ms) from the first one's
  arrival for more before it returns: under load each batch (a transaction, an ack, a
  notification) then carries several events, and each waits at most that long; when they come
  further apart the wait would gather nothing, and a fetch returns at once.

At most one request is outstanding and all share one inbox, so messages stay in stream order.
A request outlives no reconnection (the server may have restarted and forgotten it, and the
puller would wait for its answer for ever): after one, :meth:`Puller.fetch` raises
:class:`PullFailed` and the runner pulls again from its checkpoint. Nor does it outlive its
answer's due time: in a cluster the consumer's leader can die with our request (the client
stays connected to another node), and some of that request's messages may be lost on the way;
pulling on would apply later messages first, so the runner starts again from its checkpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import orjson
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

NO_MESSAGES, REQUEST_TIMEOUT, HEARTBEAT = "404", "408", "100"
ANSWER_GRACE_S = 5.0  # beyond a request's own expiry, before it counts as lost
LINGER_S = 0.002  # how long a short batch waits for more
BUSY_GAPS = 4  # messages closer than this many lingers apart, on average: worth waiting for
LONG_POLL_S = 1.0  # how long a long poll stays open (fetches in between do not end it)


class PullFailed(Exception):
    """The server ended a pull request with an error (consumer deleted, leader changed...)."""


class Puller:
    def __init__(self, nc: NATS, stream: str, consumer: str, linger: float = LINGER_S) -> None:
        self._nc = nc
        self._linger = linger
        self._request_subject = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}"
        self._inbox = nc.new_inbox()
        self._buffer: list[Msg] = []
        self._outstanding = 0  # messages the outstanding request may still bring
        self._ran_dry = False  # the last no_wait request found nothing
        self._error: str | None = None
        self._wake = asyncio.Event()
        self._sub: Any = None
        self._connection = nc.stats["reconnects"]  # which connection our requests went on
        self._answer_due = 0.0  # when the outstanding request must have been answered
        self._first_arrival = 0.0  # when the oldest message in the buffer came
        self._last_arrival = 0.0
        self._gap = 1.0  # a moving average of the time between messages, in seconds
        self._batch = 0  # the size the current fetch gathers (wakes it when full)

    async def start(self) -> Puller:
        self._sub = await self._nc.subscribe(self._inbox, cb=self._receive)
        return self

    async def close(self) -> None:
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
            self._sub = None

    async def _receive(self, msg: Msg) -> None:
        if not msg.data and msg.headers and "Status" in msg.headers:
            status = msg.headers["Status"]
            if status == HEARTBEAT:
                return
            if status in (NO_MESSAGES, REQUEST_TIMEOUT) and not self._buffer:
                self._ran_dry = True  # a long poll that expires empty has found it dry too
            elif status not in (NO_MESSAGES, REQUEST_TIMEOUT):
                self._error = f"{status} {msg.headers.get('Description', '')}".strip()
            self._outstanding = 0
            self._wake.set()
            return
        now = time.monotonic()
        self._gap += (min(now - self._last_arrival, 1.0) - self._gap) / 4
        self._last_arrival = now
        if not self._buffer:
            self._first_arrival = now
            self._wake.set()  # a fetch waiting on an empty buffer starts its linger
        self._buffer.append(msg)
        if self._outstanding > 0:
            self._outstanding -= 1
            if self._outstanding == 0:
                self._wake.set()
            else:  # it is being answered: what is left of it has the rest of its time
                self._answer_due = max(self._answer_due, now + ANSWER_GRACE_S)
        if len(self._buffer) == self._batch:
            self._wake.set()

    async def _send(self, body: dict[str, Any], expecting: int) -> None:
        self._outstanding = expecting
        self._answer_due = time.monotonic() + body.get("expires", 0) / 1e9 + ANSWER_GRACE_S
        self._wake.clear()
        await self._nc.publish(self._request_subject, orjson.dumps(body), reply=self._inbox)

    async def fetch(self, batch: int, timeout: float) -> list[Msg]:
        """Up to ``batch`` messages in stream order; [] when none came within ``timeout``."""
        deadline = time.monotonic() + timeout
        self._batch = batch
        while len(self._buffer) < batch:
            if self._error is not None:
                raise PullFailed(self._error)
            if self._nc.stats["reconnects"] != self._connection or not self._nc.is_connected:
                raise PullFailed("the connection to NATS dropped; pull requests in flight "
                                 "are lost")
            now = time.monotonic()
            if self._outstanding > 0 and now > self._answer_due:
                raise PullFailed("a pull request went unanswered (the consumer's leader may "
                                 "have gone with it)")
            if not self._buffer:
                wait = deadline - now
            elif self._gap < BUSY_GAPS * self._linger:  # more are coming: let the first linger
                wait = self._first_arrival + self._linger - now
            else:
                break
            if wait <= 0:
                break
            if self._outstanding == 0:
                if self._ran_dry or self._buffer:  # the stream has run dry: wait on it
                    self._ran_dry = False
                    await self._send({"batch": batch, "expires": int(LONG_POLL_S * 1e9)},
                                     batch)
                else:
                    await self._send({"batch": batch, "no_wait": True}, batch)
            # asyncio.timeout, not wait_for: in 3.11 wait_for can swallow a cancellation that
            # meets a wake-up, and a runner being stopped would then go on pulling
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wake.wait()
            self._wake.clear()
        taken, self._buffer = self._buffer[:batch], self._buffer[batch:]
        if taken and self._outstanding == 0 and len(self._buffer) < batch:  # ready for next time
            await self._send({"batch": batch, "no_wait": True} if len(taken) == batch else
                             {"batch": batch, "expires": int(LONG_POLL_S * 1e9)}, batch)
        return taken
