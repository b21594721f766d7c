"""The coach dashboard: facts per contract (no content, no names), kept fresh from engagement's
stream, and the coachees' community activity from community's stream.

Both read their events decoded and upcast; community's through the contract engagement
declares of them (:mod:`.community_events`): services share events, never code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import asyncpg

from interlude.engagement.domain import events as ev
from interlude.engagement.domain.attention import quiet_from
from interlude.engagement.projections import community_events as cm
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.sealed import kept

NAME = "engagement-dashboard"
COMMUNITY_NAME = "engagement-dashboard-community"


@dataclass
class _Change:
    """A batch's changes to one dashboard row: sums, and the messages' effect in order."""

    position: int = 0
    ended: bool = False
    sessions_held: int = 0
    checkins_unacknowledged: int = 0
    goals_open: int = 0
    experiments_open: int = 0
    materials_shared: int = 0
    materials_opened: int = 0
    materials_done: int = 0
    answered: bool = False  # a coach reply came: what waited before it no longer does
    waiting: int = 0  # the coachee's messages since (or, with none, added to those waiting)
    first_waiting_at: datetime | None = None


POSTED, ACKNOWLEDGED = ev.CheckInPosted.type_name, ev.CheckInAcknowledged.type_name


class Dashboard(Projection):
    name = NAME
    tables = ("dashboard", "dashboard_sessions", "dashboard_checkins")
    reads = (ev.registry,)
    handles = tuple(t.type_name for t in (
        ev.ContractActivated, ev.ContractEnded, ev.SessionScheduled, ev.SessionRescheduled,
        ev.SessionCancelled, ev.SessionHeld, ev.CheckInPosted, ev.CheckInAcknowledged,
        ev.MessageSent, ev.GoalSet, ev.GoalClosed, ev.ExperimentPlanned,
        ev.ExperimentReported, ev.MaterialShared, ev.MaterialOpened, ev.MaterialDone))

    def __init__(self) -> None:
        super().__init__()
        self._changes: dict[tuple[str, str], _Change] = {}

    def _change(self, event: RecordedEvent, contract_id: str) -> _Change:
        """What the batch has done to a contract's row so far, written by :meth:`_write`."""
        change = self._changes.setdefault((event.tenant_id, contract_id), _Change())
        change.position = max(change.position, event.position)  # acks come at the batch's end
        return change

    async def _write(self, conn: asyncpg.Connection) -> None:
        """Each row's changes in one statement, however many events made them: a row updated
        once per event in one transaction drags a chain of versions that every later update
        of it walks (a rebuild's batch of 2,000 events touches each row dozens of times)."""
        if not self._changes:
            return
        changes, self._changes = self._changes, {}
        await conn.executemany(
            "UPDATE dashboard SET status = CASE WHEN $3 THEN 'ended' ELSE status END,"
            " sessions_held = sessions_held + $4,"
            " checkins_unacknowledged = checkins_unacknowledged + $5,"
            " goals_open = goals_open + $6, experiments_open = experiments_open + $7,"
            " materials_shared = materials_shared + $8,"
            " materials_opened = materials_opened + $9, materials_done = materials_done + $10,"
            # messages: a coach reply answers all that waited, those after it wait anew
            " unanswered = CASE WHEN $11 THEN $12 ELSE unanswered + $12 END,"
            " oldest_waiting_at = CASE WHEN $11 THEN $13"
            " ELSE coalesce(oldest_waiting_at, $13) END,"
            " reply_due_at = CASE WHEN NOT $11 AND $12 = 0 THEN reply_due_at"
            " ELSE CASE WHEN $11 THEN $13 ELSE coalesce(oldest_waiting_at, $13) END"
            " + make_interval(hours => reply_window_hours) END,"
            " position = greatest(position, $14)"
            " WHERE tenant_id = $1 AND contract_id = $2",
            [(tenant, contract, c.ended, c.sessions_held, c.checkins_unacknowledged,
              c.goals_open, c.experiments_open, c.materials_shared, c.materials_opened,
              c.materials_done, c.answered, c.waiting, c.first_waiting_at, c.position)
             for (tenant, contract), c in changes.items()])

    async def on_contract_activated(self, conn: asyncpg.Connection,
                                    event: RecordedEvent) -> None:
        """A new row, or new terms for the row (an amendment): the reply window moves the
        deadline of the message waiting."""
        p = event.of(ev.ContractActivated)
        await self._write(conn)  # the new reply window applies to the messages waiting now
        await conn.execute(
            "INSERT INTO dashboard AS d (tenant_id, contract_id, coach_id, coachee_id, status,"
            " reply_window_hours, sessions_planned, position, since)"
            " VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $8)"
            " ON CONFLICT (tenant_id, contract_id) DO UPDATE"
            " SET reply_window_hours = excluded.reply_window_hours,"
            " reply_due_at = d.oldest_waiting_at"
            " + make_interval(hours => excluded.reply_window_hours),"
            " sessions_planned = excluded.sessions_planned, position = excluded.position",
            event.tenant_id, event.aggregate_id, p.coach_id, p.coachee_id,
            p.terms.allowance.reply_window_hours, p.terms.sessions.count, event.position,
            event.envelope.occurred_at)
        await self._sessions_ahead(conn, event)

    async def on_contract_ended(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        self._change(event, event.aggregate_id).ended = True

    async def on_session_scheduled(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.SessionScheduled)
        await conn.execute(
            "INSERT INTO dashboard_sessions (tenant_id, contract_id, session_id, starts_at,"
            " status) VALUES ($1, $2, $3, $4, 'scheduled') ON CONFLICT DO NOTHING",
            event.tenant_id, event.aggregate_id, p.session_id, p.starts_at)
        await self._sessions_ahead(conn, event)

    async def _sessions_ahead(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        """The start of the contract's last session still scheduled: until then a session
        lies ahead (the attention score's "no next session" waits for it)."""
        await conn.execute(
            "UPDATE dashboard d SET last_scheduled_at = (SELECT max(s.starts_at)"
            " FROM dashboard_sessions s WHERE s.tenant_id = $1 AND s.contract_id = $2"
            " AND s.status = 'scheduled') WHERE d.tenant_id = $1 AND d.contract_id = $2",
            event.tenant_id, event.aggregate_id)

    async def _session(self, conn: asyncpg.Connection, event: RecordedEvent, session_id: str,
                       sql: str, *args: object) -> None:
        await conn.execute(f"UPDATE dashboard_sessions SET {sql} WHERE tenant_id = $1"
                           " AND session_id = $2", event.tenant_id, session_id, *args)
        await self._sessions_ahead(conn, event)

    async def on_session_rescheduled(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> None:
        p = event.of(ev.SessionRescheduled)
        await self._session(conn, event, p.session_id, "starts_at = $3", p.starts_at)

    async def on_session_cancelled(self, conn: asyncpg.Connection,
                                   event: RecordedEvent) -> None:
        await self._session(conn, event, event.of(ev.SessionCancelled).session_id,
                            "status = 'cancelled'")

    async def on_session_held(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._session(conn, event, event.of(ev.SessionHeld).session_id, "status = 'held'")
        self._change(event, event.aggregate_id).sessions_held += 1

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        """Check-ins posted and acknowledged, the most frequent events, are held and written
        together at the batch's end, the check-ins first. Holding them back changes no row:
        a check-in's counts, streak and mood follow only the check-ins before it; its
        contract's row was made before it (a check-in needs an active contract), and new
        terms leave those columns alone; an acknowledgement needs only its check-in's row;
        and a row's ``position`` is the greatest of its events', whenever written."""
        posted: list[RecordedEvent] = []
        acknowledged: list[RecordedEvent] = []
        try:
            for event in events:
                if event.type == POSTED:
                    posted.append(event)
                elif event.type == ACKNOWLEDGED:
                    acknowledged.append(event)
                else:
                    await super().apply(conn, [event])
            if posted:
                await self._posted(conn, posted)
            if acknowledged:
                await self._acknowledged(conn, acknowledged)
            await self._write(conn)
        finally:
            self._changes = {}  # a batch that failed leaves nothing for the next

    async def on_check_in_posted(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._posted(conn, [event])

    async def _posted(self, conn: asyncpg.Connection, run: list[RecordedEvent]) -> None:
        """Check-ins, the most frequent event by far: a run of them in two statements, each
        row counted in order (a streak depends on the day of the check-in before)."""
        counted, listed = [], []
        for event in run:
            self.decoded(event)
            p, at = event.of(ev.CheckInPosted), event.envelope.occurred_at
            counted.append((event.tenant_id, p.contract_id, event.position, at, at.date(),
                            int(p.small_win), p.mood, quiet_from(at)))
            listed.append((event.tenant_id, event.aggregate_id, p.contract_id))
        await conn.executemany(
            "UPDATE dashboard SET checkins = checkins + 1, last_checkin_at = $4,"
            " streak = CASE WHEN last_checkin_day = $5::date THEN streak"
            " WHEN last_checkin_day = $5::date - 1 THEN streak + 1 ELSE 1 END,"
            " last_checkin_day = $5, small_wins = small_wins + $6, last_mood = coalesce($7,"
            " last_mood), checkins_unacknowledged = checkins_unacknowledged + 1,"
            " position = greatest(position, $3),"
            " quiet_from = $8"
            " WHERE tenant_id = $1 AND contract_id = $2", counted)
        await conn.executemany(
            "INSERT INTO dashboard_checkins (tenant_id, checkin_id, contract_id)"
            " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", listed)

    async def on_check_in_acknowledged(self, conn: asyncpg.Connection,
                                       event: RecordedEvent) -> None:
        await self._acknowledged(conn, [event])

    async def _acknowledged(self, conn: asyncpg.Connection, run: list[RecordedEvent]) -> None:
        """A check-in's first acknowledgement takes it off the unacknowledged count; later
        ones (a like, then a question) find it acknowledged. One statement for the run: a
        check-in acknowledged twice in it is updated, and returned, once."""
        first: dict[tuple[str, str], RecordedEvent] = {}
        for event in run:
            first.setdefault((event.tenant_id, event.aggregate_id), event)
        for row in await conn.fetch(
                "UPDATE dashboard_checkins c SET acknowledged = true"
                " FROM unnest($1::text[], $2::text[]) AS a(t, k)"
                " WHERE c.tenant_id = a.t AND c.checkin_id = a.k AND NOT c.acknowledged"
                " RETURNING c.tenant_id, c.checkin_id, c.contract_id",
                [t for t, _ in first], [k for _, k in first]):
            event = first[(row["tenant_id"], row["checkin_id"])]
            self._change(event, row["contract_id"]).checkins_unacknowledged -= 1

    async def on_message_sent(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        change = self._change(event, event.aggregate_id)
        if event.of(ev.MessageSent).party == "coach":  # all that waited is answered
            change.answered, change.waiting, change.first_waiting_at = True, 0, None
        else:  # the reply is due a window after the oldest message waiting
            change.waiting += 1
            if change.first_waiting_at is None:
                change.first_waiting_at = event.envelope.occurred_at

    async def on_goal_set(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        self._change(event, event.of(ev.GoalSet).contract_id).goals_open += 1

    async def on_goal_closed(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        self._change(event, event.of(ev.GoalClosed).contract_id).goals_open -= 1

    async def on_experiment_planned(self, conn: asyncpg.Connection,
                                    event: RecordedEvent) -> None:
        self._change(event, event.of(ev.ExperimentPlanned).contract_id).experiments_open += 1

    async def on_experiment_reported(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> None:
        self._change(event, event.of(ev.ExperimentReported).contract_id).experiments_open -= 1


    # -- materials: how many were shared, opened and done (never what) -----------------------

    async def on_material_shared(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        self._change(event, event.of(ev.MaterialShared).contract_id).materials_shared += 1

    async def on_material_opened(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        self._change(event, event.of(ev.MaterialOpened).contract_id).materials_opened += 1

    async def on_material_done(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        self._change(event, event.of(ev.MaterialDone).contract_id).materials_done += 1


class CommunityActivity(Projection):
    """What a coachee did in the community, for the "this week" and "insights pinned" columns,
    and the insights themselves (with the coach's note, sealed) for the coachee's record. A
    batch's activity goes in one statement; the events are decoded in :meth:`apply`."""

    name = COMMUNITY_NAME
    tables = ("dashboard_community", "dashboard_insights")
    reads = (cm.community,)
    KINDS: ClassVar[dict[str, str]] = {
        cm.PostPublished.type_name: "post", cm.CommentAdded.type_name: "comment",
        cm.InsightPinned.type_name: "insight_pinned",
        cm.InsightUnpinned.type_name: "insight_unpinned"}

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        rows: list[tuple[Any, ...]] = []
        for event in events:
            if event.type not in self.KINDS:
                continue
            e, at = self.decoded(event), event.envelope.occurred_at
            assert isinstance(e, cm.PostPublished | cm.CommentAdded | cm.InsightPinned
                              | cm.InsightUnpinned)
            rows.append((event.tenant_id, event.wire["event_id"], e.author_id,
                         self.KINDS[event.type], at))
            if isinstance(e, cm.InsightPinned | cm.InsightUnpinned):
                await self._insight(conn, event, e, at)
        if rows:
            await conn.executemany(
                "INSERT INTO dashboard_community (tenant_id, event_id, user_id, kind, at)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", rows)

    @staticmethod
    async def _insight(conn: asyncpg.Connection, event: RecordedEvent,
                       e: cm.InsightPinned | cm.InsightUnpinned, at: datetime) -> None:
        if isinstance(e, cm.InsightPinned):
            await conn.execute(
                "INSERT INTO dashboard_insights (tenant_id, post_id, user_id, coach_id,"
                " space_id, note, pinned_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                " ON CONFLICT (tenant_id, post_id) DO UPDATE SET note = excluded.note,"
                " pinned_at = excluded.pinned_at", event.tenant_id, event.aggregate_id,
                e.author_id, e.coach_id, e.space_id, kept(e.note), at)
        else:
            await conn.execute("DELETE FROM dashboard_insights WHERE tenant_id = $1"
                               " AND post_id = $2", event.tenant_id, event.aggregate_id)
