"""Sessions leave web's memory when their person may no longer be signed in, not only when
they come back: web imports no service and reads no stream, so it learns of an erasure or a
deactivation the way it learns of anything, over HTTP. identity refuses to renew the tokens of
a person forgotten or deactivated (and every service refuses their access tokens), so a round
every ``every_s`` drops the sessions that have ended (idle, too old) and asks identity to renew
those whose access token has expired: one it refuses goes, with the name and tokens it held.
A forgotten person's session is gone within an access token's lifetime and a round (five
minutes and one, by default); an erasure made through web drops it at once
(:meth:`~.sessions.SessionStore.drop_person`). A session in use is renewed by its requests
and never waits for a round."""

from __future__ import annotations

import asyncio
import logging

from interlude.web.sessions import Enrolments, SessionStore
from interlude.web.upstream import SignedOut, Upstream, UpstreamProblem

log = logging.getLogger(__name__)


class SessionKeeper:
    def __init__(self, store: SessionStore, upstream: Upstream, every_s: float,
                 enrolments: Enrolments | None = None) -> None:
        self.store, self.upstream, self.every_s = store, upstream, every_s
        self.enrolments = enrolments

    async def round(self) -> int:
        """One round; how many sessions ended (enrolments past their lifetime go too)."""
        if self.enrolments is not None:
            self.enrolments.sweep()
        ended = self.store.sweep()
        for session in self.store.lapsed():
            if not self.store.holds(session):  # ended meanwhile
                continue
            try:
                await self.upstream.refresh(session, session.access_token)
            except SignedOut:  # identity refused: dropped already
                ended += 1
            except UpstreamProblem as problem:  # identity away: the next round asks again
                log.warning("renewing idle sessions failed: %s", problem.slug)
                break
        return ended

    async def run(self) -> None:
        """Rounds until cancelled."""
        while True:
            await asyncio.sleep(self.every_s)
            try:
                ended = await self.round()
            except Exception as error:  # never let one bad round stop the keeping
                log.warning("keeping sessions failed: %s", type(error).__name__)
                continue
            if ended:
                log.info("%d sessions ended", ended)
