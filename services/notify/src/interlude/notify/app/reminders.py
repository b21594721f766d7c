"""The reminders that fall due: a session tomorrow (to both parties), a reply overdue (to the
coach), the month's replies renewed (to a coachee who heard they were nearly used). Scheduled
by engagement's reactions in ``due_work`` (kind ``reminder``), fired here: claimed with a
lease (replicas share them; a worker that dies mid-way frees them when the lease runs out),
told as a notification whose cause is the timer (so firing twice tells no one twice), then
marked done. A session moved or cancelled, a reply sent or a contract ended cancelled the
timer before it fell due."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import asyncpg

from interlude.notify.adapters import due_work
from interlude.notify.app.deps import Notify
from interlude.notify.app.telling import Cause, Tell, Teller, quiet_hours, terms_of
from interlude.notify.projections import queries

log = logging.getLogger(__name__)
KIND = "reminder"


def renewed_still(terms: str | None, payload: dict[str, Any], now: datetime) -> bool:
    """Whether "your replies are renewed" is still true and worth saying: the contract still
    has a monthly allowance, and the month it renewed for has not ended (the worker was away
    a whole month, or a replay)."""
    allowance = (terms_of(terms) if terms else {}).get("allowance") or {}
    if allowance.get("kind", "monthly") != "monthly" or not allowance.get("replies_per_month"):
        return False
    return f"{now.astimezone(UTC):%Y-%m}" == payload["month"]


class Reminders:
    def __init__(self, deps: Notify, poll: float = 1.0) -> None:
        self.deps = deps
        self.teller = Teller(deps)
        self._poll = poll
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notify reminders")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.fire(self.deps.clock())
            except Exception as err:  # PostgreSQL or NATS away: the timers wait in the table
                log.warning("reminders failing, retrying: %s: %s", type(err).__name__, err)
            await asyncio.sleep(self._poll)

    async def fire(self, now: datetime) -> int:
        """Tell what fell due by ``now``; answers how many notifications were new."""
        claimed = await due_work.claim(self.deps.pool, KIND, now=now)
        if not claimed:
            return 0
        async with self.deps.pool.acquire() as conn, conn.transaction():
            told = [(Cause(work.tenant_id, work.work_id, "notify.Reminder", work.due_at), t)
                    for work in claimed for t in await self._tells(conn, work, now)]
            new = await self.teller.queue(conn, told)  # appended before any is marked done
            for work in claimed:
                await due_work.done(conn, work.work_id, now=now)
        return new

    async def _tells(self, conn: asyncpg.Connection, work: due_work.DueWork,
                     now: datetime) -> list[Tell]:
        p = work.payload
        contract = await queries.contract(conn, work.tenant_id, p["contract_id"])
        if contract is None or contract["ended"]:
            return []
        if p["kind"] == "session_tomorrow":
            session = await queries.session(conn, work.tenant_id, p["session_id"])
            if session is None or session["starts_at"] != datetime.fromisoformat(p["starts_at"]):
                return []  # moved since: the new time has its own timer
            if session["starts_at"] <= now:
                return []  # begun already (the worker was away, a replay): too late to remind
        if p["kind"] == "allowance_renewed" and not renewed_still(contract["terms"], p, now):
            return []
        return [Tell(r, p["kind"], p["link"], actor_id=p.get("actor_id"),
                     contract_id=p["contract_id"], item_id=p.get("item_id") or
                     p.get("session_id"), quiet_hours=quiet_hours(contract["terms"]))
                for r in p["recipients"]]
