"""Direct get (ADR-31): all messages of one subject after a sequence, in one batched request
or by walking back from its last message; one message by sequence or subject.

nats-py has no helper for it. We keep one wildcard inbox subscription and route replies by
token, as nats-py does for requests, so a load costs no subscribe/unsubscribe round trips.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from dataclasses import dataclass

import orjson
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from interlude.shared.eventstore.base import StoreUnavailable
from interlude.shared.eventstore.connection import require_connection

BATCH = 256
HOPS = 16  # the most messages walked back before scanning instead (snapshots come every 16)
EXPECTED = "Nats-Expected-Last-Subject-Sequence"  # kept with the message as it was sent
EXPECTED_OF = "Nats-Expected-Last-Subject-Sequence-Subject"  # a guard: another subject's


@dataclass(frozen=True, slots=True)
class RawMessage:
    seq: int
    data: bytes
    headers: dict[str, str]


class DirectReader:
    """Reads the messages of one subject from a stream that allows direct get."""

    def __init__(self, nc: NATS, stream: str, timeout: float = 2.0) -> None:
        self._nc = nc
        self._stream = stream
        self._timeout = timeout
        self._prefix = nc.new_inbox()
        self._ids = itertools.count()
        self._waiting: dict[str, asyncio.Queue[Msg]] = {}
        self._sub: object | None = None

    async def _ensure_sub(self) -> None:
        if self._sub is None:
            self._sub = await self._nc.subscribe(f"{self._prefix}.*", cb=self._route)

    async def _route(self, msg: Msg) -> None:
        queue = self._waiting.get(msg.subject.rsplit(".", 1)[-1])
        if queue is not None:
            queue.put_nowait(msg)

    async def after(self, subject: str, after: int) -> tuple[list[RawMessage], int | None]:
        """Messages of ``subject`` with sequence > ``after``, and the last sequence seen
        (None when there were none)."""
        await self._ensure_sub()
        out: list[RawMessage] = []
        start = after + 1
        while True:
            done, pending = await self._batch(subject, start, out)
            if done or pending == 0:
                return out, (out[-1].seq if out else None)
            start = out[-1].seq + 1

    async def back_from_last(self, subject: str, after: int,
                             hops: int = HOPS) -> list[RawMessage] | None:
        """Messages of ``subject`` with sequence > ``after``, found by walking back from its
        last message along the sequence each append expected of it
        (``Nats-Expected-Last-Subject-Sequence``): a direct get per message, whatever else the
        stream took in between, where :meth:`after` makes the server look through all of it.
        None when the chain cannot be followed (an append that expected nothing, or checked
        another subject; a message gone) or is longer than ``hops``: :meth:`after` then."""
        message = await self.get({"last_by_subj": subject})
        found: list[RawMessage] = []
        while message is not None and message.seq > after:
            found.append(message)
            expected = message.headers.get(EXPECTED)
            if (len(found) > hops or expected is None
                    or message.headers.get(EXPECTED_OF, subject) != subject):
                return None
            if int(expected) <= after:
                break
            message = await self.get({"seq": int(expected)})
            if message is None or message.headers.get("Nats-Subject") != subject:
                return None
        found.reverse()
        return found

    async def get(self, request: dict[str, object]) -> RawMessage | None:
        """One message by a direct get request (``{"seq": n}``, ``{"last_by_subj": s}``);
        None when there is none."""
        await self._ensure_sub()
        token = str(next(self._ids))
        queue: asyncio.Queue[Msg] = asyncio.Queue()
        self._waiting[token] = queue
        try:
            require_connection(self._nc, f"direct get on {self._stream}")
            await self._nc.publish(f"$JS.API.DIRECT.GET.{self._stream}", orjson.dumps(request),
                                   reply=f"{self._prefix}.{token}")
            msg = await self._next(queue)
        finally:
            del self._waiting[token]
        headers = msg.headers or {}
        status = headers.get("Status")
        if status == "404":
            return None
        if status:
            raise StoreUnavailable(f"direct get on {self._stream} failed: {status}")
        return RawMessage(int(headers["Nats-Sequence"]), msg.data, dict(headers))

    async def _batch(self, subject: str, start: int, out: list[RawMessage]) -> tuple[bool, int]:
        token = str(next(self._ids))
        queue: asyncio.Queue[Msg] = asyncio.Queue()
        self._waiting[token] = queue
        try:
            require_connection(self._nc, f"direct get on {self._stream}")
            request = orjson.dumps({"seq": start, "next_by_subj": subject, "batch": BATCH})
            await self._nc.publish(f"$JS.API.DIRECT.GET.{self._stream}", request,
                                   reply=f"{self._prefix}.{token}")
            while True:
                msg = await self._next(queue)
                headers = msg.headers or {}
                status = headers.get("Status")
                if status == "404":
                    return True, 0
                if status == "204":  # end of batch
                    return False, int(headers.get("Nats-Num-Pending", "0"))
                if status:
                    raise StoreUnavailable(f"direct get on {self._stream} failed: {status}")
                out.append(RawMessage(int(headers["Nats-Sequence"]), msg.data, dict(headers)))
        finally:
            del self._waiting[token]

    async def _next(self, queue: asyncio.Queue[Msg]) -> Msg:
        """The next reply, waiting at most ``timeout`` and less when the connection drops (the
        replies went with it)."""
        deadline = asyncio.get_running_loop().time() + self._timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise StoreUnavailable(f"direct get on {self._stream} timed out")
            # asyncio.timeout, not wait_for: in 3.11 wait_for can swallow a cancellation
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(left, 0.25)):
                    return await queue.get()
            require_connection(self._nc, f"direct get on {self._stream}")
