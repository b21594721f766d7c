"""Publishing to JetStream and waiting for the ack, with the bytes on the socket at once.

nats-py queues what a publish sends and writes it on its flusher task's next turn, after every
other task the event loop has ready. Under load that turns an API into a convoy: the commands
in flight each publish during one turn of the loop, all their messages leave together on the
next, nats-server stores them one fsync after the other and, flushing the replies to one read
together, acks them all at once at the end, and meanwhile the API has nothing to do
(``bench/engagement.py``, eight check-ins in flight: a fifth of the API's time idle, waiting,
with messages leaving seven at a time). Writing each message as it is published lets nats-server
store one while the API works on the next, and ack each as it is stored.

Replies come to one wildcard inbox subscription, routed by token (as nats-py does for requests,
and :mod:`.direct` for direct gets).
"""

from __future__ import annotations

import asyncio
import itertools

import nats.errors
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

NO_RESPONDERS = "503"


def send_now(nc: NATS) -> None:
    """Hand what nats-py has queued to the socket now rather than on its flusher's next turn
    (asyncio's transport buffers what the socket does not take at once). This reaches into
    nats-py's write queue (``_pending``, ``_transport``): should a release rename them, it
    does nothing, and the flusher writes as before."""
    pending = getattr(nc, "_pending", None)
    transport = getattr(nc, "_transport", None)
    if not pending or transport is None or not nc.is_connected or nc.is_reconnecting:
        return
    transport.writelines(pending[:])
    nc._pending = []
    nc._pending_data_size = 0


class AckedPublisher:
    """Publishes a message to a stream's subject and answers JetStream's reply."""

    def __init__(self, nc: NATS) -> None:
        self._nc = nc
        self._prefix = nc.new_inbox()
        self._ids = itertools.count()
        self._waiting: dict[str, asyncio.Future[Msg]] = {}
        self._sub: object | None = None

    async def _route(self, msg: Msg) -> None:
        future = self._waiting.get(msg.subject.rsplit(".", 1)[-1])
        if future is not None and not future.done():
            future.set_result(msg)

    async def request(self, subject: str, data: bytes, headers: dict[str, str],
                      timeout: float) -> bytes:
        """The reply's payload; raises ``nats.errors.NoRespondersError`` when no stream takes
        ``subject`` and ``TimeoutError`` when no reply comes within ``timeout``."""
        if self._sub is None:
            self._sub = await self._nc.subscribe(f"{self._prefix}.*", cb=self._route)
        token = str(next(self._ids))
        future: asyncio.Future[Msg] = asyncio.get_running_loop().create_future()
        self._waiting[token] = future
        try:
            await self._nc.publish(subject, data, reply=f"{self._prefix}.{token}",
                                   headers=headers)
            send_now(self._nc)
            # asyncio.timeout, not wait_for: one hop less, and no swallowed cancellation
            async with asyncio.timeout(timeout):
                msg = await future
        finally:
            del self._waiting[token]
        if msg.headers and msg.headers.get("Status") == NO_RESPONDERS and not msg.data:
            raise nats.errors.NoRespondersError
        return msg.data
