"""The parties' view of their contracts: terms, sessions, check-ins, messages, goals and
experiments, with the content kept sealed (see :mod:`interlude.shared.projections.sealed`).
Handlers read the events decoded and upcast (``event.of``)."""

from __future__ import annotations

import json
from datetime import datetime

import asyncpg

from interlude.engagement.domain import events as ev
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.sealed import kept

NAME = "engagement-records"


def _at(event: RecordedEvent) -> datetime:
    return event.envelope.occurred_at


CONTENT_TABLES = ("checkins", "messages", "thread_reads", "goals", "experiments", "materials")
# the most frequent events by far, written to tables no other event touches (but a contract's
# content expiring): a batch of them is written a statement per table (pipelined rows)
HELD = (ev.CheckInPosted.type_name, ev.MessageSent.type_name, ev.MessageRead.type_name,
        ev.CheckInAcknowledged.type_name)
EXPIRED = ev.ContractContentExpired.type_name


class Records(Projection):
    name = NAME
    tables = ("contracts", "sessions", "checkins", "messages", "thread_reads", "goals",
              "experiments", "materials")
    reads = (ev.registry,)
    handles = tuple(n for n in ev.registry.names() if n != ev.PairingClaimed.type_name)

    # -- contracts --------------------------------------------------------------------------

    async def on_contract_proposed(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.ContractProposed)
        await conn.execute(
            "INSERT INTO contracts (tenant_id, contract_id, coach_id, coachee_id, sponsor_id,"
            " status, programme, terms, terms_version, pending_version, proposed_at, position)"
            " VALUES ($1, $2, $3, $4, $5, 'proposed', $6, $7, 0, $8, $9, $10)"
            " ON CONFLICT DO NOTHING", event.tenant_id, event.aggregate_id, p.coach_id,
            p.coachee_id, p.sponsor_id, p.terms.programme, p.terms.model_dump_json(),
            p.terms_version, _at(event), event.position)

    async def _contract(self, conn: asyncpg.Connection, event: RecordedEvent, sql: str,
                        *args: object) -> None:
        await conn.execute(f"UPDATE contracts SET {sql}, position = $3 WHERE tenant_id = $1"
                           " AND contract_id = $2", event.tenant_id, event.aggregate_id,
                           event.position, *args)

    async def on_contract_amended(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.ContractAmended)
        await self._contract(conn, event, "pending_version = $4, signed_by = '{}',"
                             " terms = CASE WHEN status = 'proposed' THEN $5::jsonb"
                             " ELSE terms END", p.terms_version, p.terms.model_dump_json())

    async def on_contract_signed(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._contract(conn, event, "signed_by = array_append(signed_by, $4)",
                             event.of(ev.ContractSigned).user_id)

    async def on_contract_activated(self, conn: asyncpg.Connection,
                                    event: RecordedEvent) -> None:
        p = event.of(ev.ContractActivated)
        await self._contract(
            conn, event, "status = 'active', terms = $4, terms_version = $5,"
            " pending_version = NULL, signed_by = '{}', consents = $6, programme = $7,"
            " activated_at = coalesce(activated_at, $8)", p.terms.model_dump_json(),
            p.terms_version, list(p.consents.given()), p.terms.programme, _at(event))

    async def on_consent_withdrawn(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._contract(conn, event, "consents = array_remove(consents, $4)",
                             event.of(ev.ConsentWithdrawn).consent)

    async def on_consent_given(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._contract(conn, event, "consents = array_append(array_remove(consents, $4),"
                             " $4)", event.of(ev.ConsentGiven).consent)

    async def on_contract_ended(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._contract(conn, event, "status = 'ended', pending_version = NULL,"
                             " ended_at = $4", _at(event))

    async def on_contract_content_expired(self, conn: asyncpg.Connection,
                                          event: RecordedEvent) -> None:
        """The contract's retention has run out: its coaching content goes from every read
        model (its key is shredded already, so the stream's copies are unreadable too)."""
        for table in CONTENT_TABLES:
            await conn.execute(f"DELETE FROM {table} WHERE tenant_id = $1 AND contract_id = $2",
                               event.tenant_id, event.aggregate_id)
        await self._contract(conn, event, "content_expired_at = $4", _at(event))

    # -- sessions ---------------------------------------------------------------------------

    async def on_session_scheduled(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.SessionScheduled)
        await conn.execute(
            "INSERT INTO sessions (tenant_id, session_id, contract_id, coach_id, coachee_id,"
            " starts_at, minutes, mode, status, updated_at)"
            " SELECT $1, $2, $3, coach_id, coachee_id, $4, $5, $6, 'scheduled', $7"
            " FROM contracts WHERE tenant_id = $1 AND contract_id = $3 ON CONFLICT DO NOTHING",
            event.tenant_id, p.session_id, event.aggregate_id, p.starts_at, p.minutes, p.mode,
            _at(event))

    async def _session(self, conn: asyncpg.Connection, event: RecordedEvent, session_id: str,
                       sql: str, *args: object) -> None:
        await conn.execute(f"UPDATE sessions SET {sql}, sequence = sequence + 1,"
                           " updated_at = $3 WHERE tenant_id = $1 AND session_id = $2",
                           event.tenant_id, session_id, _at(event), *args)

    async def on_session_rescheduled(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> None:
        p = event.of(ev.SessionRescheduled)
        await self._session(conn, event, p.session_id, "starts_at = $4", p.starts_at)

    async def on_session_cancelled(self, conn: asyncpg.Connection,
                                   event: RecordedEvent) -> None:
        p = event.of(ev.SessionCancelled)
        await self._session(conn, event, p.session_id, "status = 'cancelled',"
                            " cancelled_by = $4", p.cancelled_by)

    async def on_session_held(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._session(conn, event, event.of(ev.SessionHeld).session_id,
                            "status = 'held'")

    # -- check-ins and messages -------------------------------------------------------------

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        """Check-ins posted and acknowledged, messages sent and read receipts, the bulk of
        the stream, are held and written together, a statement per table: at the batch's
        end, or before a contract's content expires (which deletes such rows). No other
        event reads or writes those tables, and their own order is kept: each table's rows in
        the batch's order, a check-in before its acknowledgements."""
        held: dict[str, list[RecordedEvent]] = {t: [] for t in HELD}
        for event in events:
            if event.type in held:
                self.decoded(event)
                held[event.type].append(event)
                continue
            if event.type == EXPIRED:
                await self._held(conn, held)
            await super().apply(conn, [event])
        await self._held(conn, held)

    async def _held(self, conn: asyncpg.Connection, held: dict[str, list[RecordedEvent]]
                    ) -> None:
        for event_type, write in ((HELD[0], self._posted), (HELD[1], self._sent),
                                  (HELD[2], self._read), (HELD[3], self._acknowledged)):
            if held[event_type]:
                await write(conn, held[event_type])
                held[event_type].clear()

    async def on_check_in_posted(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._posted(conn, [event])

    async def _posted(self, conn: asyncpg.Connection, run: list[RecordedEvent]) -> None:
        rows = []
        for event in run:
            p = event.of(ev.CheckInPosted)
            rows.append((event.tenant_id, event.aggregate_id, p.contract_id, p.coachee_id,
                         _at(event), p.mood, p.small_win, p.goal_id, p.experiment_id,
                         kept(p.text), event.position))
        await conn.executemany(
            "INSERT INTO checkins (tenant_id, checkin_id, contract_id, coachee_id, posted_at,"
            " mood, small_win, goal_id, experiment_id, text, position)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING", rows)

    async def on_check_in_acknowledged(self, conn: asyncpg.Connection,
                                       event: RecordedEvent) -> None:
        await self._acknowledged(conn, [event])

    async def _acknowledged(self, conn: asyncpg.Connection, run: list[RecordedEvent]) -> None:
        """Likes, then questions in the order asked (separate columns: the two commute)."""
        liked, asked = [], []
        for event in run:
            p = event.of(ev.CheckInAcknowledged)
            if p.kind == "like":
                liked.append((event.tenant_id, event.aggregate_id))
                continue
            sealed = json.loads(kept(p.question) or "null")
            asked.append((event.tenant_id, event.aggregate_id,
                          json.dumps([{"at": _at(event).isoformat(), "sealed": sealed}])))
        if liked:
            await conn.executemany("UPDATE checkins SET liked = true WHERE tenant_id = $1"
                                   " AND checkin_id = $2", liked)
        if asked:
            await conn.executemany("UPDATE checkins SET questions = questions || $3::jsonb"
                                   " WHERE tenant_id = $1 AND checkin_id = $2", asked)

    async def on_message_sent(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._sent(conn, [event])

    async def _sent(self, conn: asyncpg.Connection, run: list[RecordedEvent]) -> None:
        rows = []
        for event in run:
            p = event.of(ev.MessageSent)
            attachments = json.dumps([a.model_dump(mode="json") for a in p.attachments])
            rows.append((event.tenant_id, event.aggregate_id, p.number, p.message_id,
                         p.sender_id, p.party, p.coachee_id, _at(event), kept(p.body),
                         attachments, p.counted, p.billable))
        await conn.executemany(
            "INSERT INTO messages (tenant_id, contract_id, number, message_id, sender_id, party,"
            " coachee_id, sent_at, body, attachments, counted, billable)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
            rows)

    async def on_message_read(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._read(conn, [event])

    async def _read(self, conn: asyncpg.Connection, run: list[RecordedEvent]) -> None:
        rows = []
        for event in run:
            p = event.of(ev.MessageRead)
            rows.append((event.tenant_id, event.aggregate_id, p.party, p.up_to, _at(event)))
        await conn.executemany(
            "INSERT INTO thread_reads (tenant_id, contract_id, party, up_to, read_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, contract_id, party) DO UPDATE"
            " SET up_to = greatest(thread_reads.up_to, excluded.up_to), read_at = excluded.read_at",
            rows)

    # -- goals and experiments --------------------------------------------------------------

    async def on_goal_set(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.GoalSet)
        await conn.execute(
            "INSERT INTO goals (tenant_id, goal_id, contract_id, coachee_id, title, status,"
            " set_by, set_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7) ON CONFLICT DO NOTHING",
            event.tenant_id, event.aggregate_id, p.contract_id, p.coachee_id, kept(p.title),
            p.set_by, _at(event))

    async def on_goal_progress_noted(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> None:
        p = event.of(ev.GoalProgressNoted)
        note = json.dumps([{"at": _at(event).isoformat(), "progress": p.progress,
                            "sealed": json.loads(kept(p.note) or "null")}])
        await conn.execute("UPDATE goals SET notes = notes || $3::jsonb,"
                           " progress = coalesce($4, progress) WHERE tenant_id = $1"
                           " AND goal_id = $2", event.tenant_id, event.aggregate_id, note,
                           p.progress)

    async def on_goal_closed(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await conn.execute("UPDATE goals SET status = $3, closed_at = $4 WHERE tenant_id = $1"
                           " AND goal_id = $2", event.tenant_id, event.aggregate_id,
                           event.of(ev.GoalClosed).outcome, _at(event))

    async def on_experiment_planned(self, conn: asyncpg.Connection,
                                    event: RecordedEvent) -> None:
        p = event.of(ev.ExperimentPlanned)
        await conn.execute(
            "INSERT INTO experiments (tenant_id, experiment_id, contract_id, coachee_id, goal_id,"
            " belief, behaviour, planned_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT DO NOTHING", event.tenant_id, event.aggregate_id, p.contract_id,
            p.coachee_id, p.goal_id, kept(p.belief), kept(p.behaviour), _at(event))

    async def on_experiment_reported(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> None:
        p = event.of(ev.ExperimentReported)
        await conn.execute("UPDATE experiments SET result = $3, learning = $4, reported_at = $5"
                           " WHERE tenant_id = $1 AND experiment_id = $2", event.tenant_id,
                           event.aggregate_id, kept(p.result), kept(p.learning), _at(event))

    # -- materials ----------------------------------------------------------------------------

    async def on_material_shared(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.MaterialShared)
        await conn.execute(
            "INSERT INTO materials (tenant_id, material_id, contract_id, coachee_id, kind, title,"
            " url, note, shared_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT DO NOTHING", event.tenant_id, event.aggregate_id, p.contract_id,
            p.coachee_id, p.kind, kept(p.title), kept(p.url), kept(p.note), _at(event))

    async def on_material_opened(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await conn.execute("UPDATE materials SET opened_at = coalesce(opened_at, $3)"
                           " WHERE tenant_id = $1 AND material_id = $2", event.tenant_id,
                           event.aggregate_id, _at(event))

    async def on_material_done(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.MaterialDone)
        await conn.execute("UPDATE materials SET done_at = $3, reflection = $4,"
                           " opened_at = coalesce(opened_at, $3)"
                           " WHERE tenant_id = $1 AND material_id = $2", event.tenant_id,
                           event.aggregate_id, _at(event), kept(p.reflection))
