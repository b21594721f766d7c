"""The unread count in every page's header: one call to notify, asked when a page's request
arrives (beside the page's own calls, never after them) and kept a few seconds, so a page
costs no more than before. The live stream and the inbox's own pages mark it stale, so the
next page asks again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from interlude.web.sessions import Session
from interlude.web.upstream import SignedOut, Upstream, UpstreamProblem

log = logging.getLogger(__name__)
UNREAD_PATH = "/v1/notify/notifications/unread-count"
WAIT_S = 0.5  # a page waits this long at most for the count; after that it shows none


class Badge:
    def __init__(self, upstream: Upstream, ttl_s: float, clock: Callable[[], float]) -> None:
        self.upstream, self.ttl_s, self.clock = upstream, ttl_s, clock

    def ask(self, session: Session) -> None:
        """Ask notify for the count unless a recent answer or a call under way will do."""
        if session.unread_call is not None and not session.unread_call.done():
            return
        if self.clock() - session.unread_at < self.ttl_s:
            return
        session.unread_call = asyncio.create_task(self._ask(session), name="unread count")

    async def _ask(self, session: Session) -> None:
        try:
            answer = await self.upstream.call(session, "notify", "GET", UNREAD_PATH)
        except (UpstreamProblem, SignedOut) as problem:  # the page says so itself if it must
            log.info("no unread count: %s", type(problem).__name__)
            return
        self.know(session, int(answer["unread"]))

    def know(self, session: Session, unread: int) -> None:
        session.unread, session.unread_at = unread, self.clock()


def stale(session: Session) -> None:
    """Something changed in the inbox: the next page asks again."""
    session.unread_at = float("-inf")


async def unread_of(session: Session) -> int | None:
    """The count for the page being sent: the call under way (briefly), or the last answer."""
    call = session.unread_call
    if call is not None and not call.done():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(call), WAIT_S)
    return session.unread
