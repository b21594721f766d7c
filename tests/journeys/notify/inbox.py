"""Reading a person's inbox in notify the way a client does: pages over HTTP, and the live
stream over a real connection (Server-Sent Events, resumed with ``Last-Event-ID``)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from interlude.identity.testing import Person
from interlude.notify.testing import RunningNotify
from interlude.shared.testing.eventually import eventually
from interlude.shared.testing.inprocess import served

from ..engagement.journey import expect


async def notifications(notify: RunningNotify, person: Person,
                        **params: Any) -> list[dict[str, Any]]:
    page = await expect(await notify.client.get("/v1/notify/notifications",
                                                headers=person.headers, params=params), 200)
    return list(page["notifications"])


async def told(notify: RunningNotify, person: Person, kind: str,
               count: int = 1) -> list[dict[str, Any]]:
    """The person's notifications of ``kind``, once there are ``count`` of them."""
    found: list[dict[str, Any]] = []

    async def arrived() -> bool:
        nonlocal found
        found = [n for n in await notifications(notify, person, limit=100) if n["kind"] == kind]
        return len(found) >= count

    await eventually(arrived, timeout=15, interval=0.1, what=f"{count} {kind} notification(s)")
    return found


@contextlib.asynccontextmanager
async def live_url(notify: RunningNotify) -> AsyncIterator[str]:
    """notify's API on a real port of this process (its lifespan already runs)."""
    async with served(notify.app, lifespan=False) as url:
        yield url


class Stream:
    """One connection to ``/v1/notify/stream``, read event by event as a browser would."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def next_event(self) -> dict[str, Any]:
        """The next ``notification`` event: its id and its data (keep-alive comments skipped)."""
        event: dict[str, Any] = {}
        async for line in self._lines:
            if line.startswith("id:"):
                event["id"] = line[3:].strip()
            elif line.startswith("event:"):
                event["event"] = line[6:].strip()
            elif line.startswith("data:"):
                event["data"] = json.loads(line[5:].strip())
            elif not line and "data" in event:
                return event
        raise AssertionError("the stream ended")


@contextlib.asynccontextmanager
async def stream(url: str, person: Person, last_event_id: str | None) -> AsyncIterator[Stream]:
    headers = dict(person.headers) | {"Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    async with httpx.AsyncClient(base_url=url, timeout=15) as client, \
            client.stream("GET", "/v1/notify/stream", headers=headers) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        yield Stream(response)
