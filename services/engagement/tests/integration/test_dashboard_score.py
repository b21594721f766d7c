"""The dashboard's order is the attention score computed in SQL from each row's columns
(migration 0007); ``domain/attention.py`` states the rules. Here the two must agree, score for
score, on rows with every reason, under every combination of blocks, at a microsecond either
side of every deadline the rows hold (a reply falling overdue, a week without a check-in, the
last session scheduled beginning)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from interlude.engagement.domain.attention import (
    CheckIns,
    Facts,
    Messages,
    attention,
    quiet_from,
    reply_due,
)
from interlude.engagement.projections import dashboard_page
from interlude.engagement.wiring import MIGRATIONS
from interlude.shared import directory
from interlude.shared.db import migrate

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # a night clocks change in Europe
TICK = timedelta(microseconds=1)
WAITING = [(0, None), (1, T0 - timedelta(hours=48)), (12, T0 - timedelta(hours=10))]
CHECKED_IN = [None, T0 - timedelta(days=7), T0 - timedelta(days=1, hours=3)]
SESSIONS = [[], [T0], [T0 - timedelta(days=3), T0 + timedelta(hours=5)]]


def _rows() -> list[dict]:
    rows = []
    for i, ((unanswered, oldest), last_at, unacknowledged, mood, starts, (planned, held)) in \
            enumerate(itertools.product(WAITING, CHECKED_IN, (0, 3, 11), (None, 1, 2, 3),
                                        SESSIONS, ((6, 1), (2, 2)))):
        rows.append({
            "contract_id": f"c{i:04}", "unanswered": unanswered, "oldest_waiting_at": oldest,
            "reply_window_hours": 48, "last_checkin_at": last_at,
            "checkins_unacknowledged": unacknowledged if last_at else 0,
            "last_mood": mood if last_at else None, "sessions_planned": planned,
            "sessions_held": held, "starts": starts})
    return rows


async def _store(pool: asyncpg.Pool, rows: list[dict]) -> None:
    """The rows as the projection keeps them, deadlines included."""
    for row in rows:
        starts = row["starts"]
        await pool.execute(
            "INSERT INTO dashboard (tenant_id, contract_id, coach_id, coachee_id, status,"
            " reply_window_hours, sessions_planned, sessions_held, last_checkin_at, last_mood,"
            " unanswered, oldest_waiting_at, checkins_unacknowledged, position, reply_due_at,"
            " quiet_from, last_scheduled_at, since) VALUES ('t', $1, 'coach', $1, 'active', $2,"
            " $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $12, $13)",
            row["contract_id"], row["reply_window_hours"], row["sessions_planned"],
            row["sessions_held"], row["last_checkin_at"], row["last_mood"], row["unanswered"],
            row["oldest_waiting_at"], row["checkins_unacknowledged"],
            reply_due(row["oldest_waiting_at"], 48) if row["oldest_waiting_at"] else None,
            quiet_from(row["last_checkin_at"]) if row["last_checkin_at"] else None,
            max(starts) if starts else None, T0 - timedelta(days=30))
        for n, at in enumerate(starts):
            await pool.execute(
                "INSERT INTO dashboard_sessions VALUES ('t', $1, $2, $3, 'scheduled')",
                row["contract_id"], f"{row['contract_id']}-s{n}", at)
        await pool.execute(  # held and cancelled sessions are not ahead, whenever they were
            "INSERT INTO dashboard_sessions VALUES ('t', $1, $2, $3, 'held'),"
            " ('t', $1, $4, $5, 'cancelled')", row["contract_id"], f"{row['contract_id']}-h",
            T0 + timedelta(days=2), f"{row['contract_id']}-x", T0 + timedelta(days=3))


def _facts(row: dict, now: datetime, messaging: bool, checkins: bool) -> Facts:
    ahead = [at for at in row["starts"] if at >= now]
    return Facts(
        row["sessions_planned"], row["sessions_held"], min(ahead) if ahead else None,
        messages=Messages(row["unanswered"], row["oldest_waiting_at"],
                          row["reply_window_hours"]) if messaging else None,
        checkins=CheckIns(row["last_checkin_at"], row["checkins_unacknowledged"],
                          row["last_mood"]) if checkins else None)


@pytest.fixture
async def rows(pg_pool: asyncpg.Pool) -> list[dict]:
    async with pg_pool.acquire() as conn:
        await migrate(conn, MIGRATIONS)
        await directory.ensure_table(conn)
    made = _rows()
    await _store(pg_pool, made)
    return made


async def test_the_sql_score_is_the_attention_score_either_side_of_every_deadline(
        pg_pool: asyncpg.Pool, rows: list[dict]) -> None:
    deadlines = {T0} | {at for row in rows for at in (
        row["oldest_waiting_at"] and reply_due(row["oldest_waiting_at"], 48),
        row["last_checkin_at"] and quiet_from(row["last_checkin_at"]), *row["starts"]) if at}
    reasons_seen: set[str] = set()
    for deadline, step, (messaging, checkins) in itertools.product(
            sorted(deadlines), (-TICK, timedelta(0), TICK),
            itertools.product((True, False), repeat=2)):
        now = deadline + step
        page = await dashboard_page.page(pg_pool, "t", "coach", now, messaging=messaging,
                                         checkins=checkins, after=None, limit=len(rows))
        want = {row["contract_id"]: attention(_facts(row, now, messaging, checkins), now)
                for row in rows}
        got = {row["contract_id"]: row["score"] for row in page.rows}
        assert got == {k: score for k, (score, _) in want.items()}, (now, messaging, checkins)
        assert (page.total, page.needing_attention) == (
            len(rows), sum(1 for score, _ in want.values() if score > 0))
        assert [r["score"] for r in page.rows] == sorted(got.values(), reverse=True)
        reasons_seen |= {reason.split(" ", 1)[1].replace("messages", "message")
                         .replace("check-ins", "check-in") if reason[0].isdigit() else reason
                         for _, why in want.values() for reason in why}
    assert reasons_seen == {  # every reason the rules know was met on some row
        "reply overdue", "unanswered message", "check-in to acknowledge",
        "low mood in the last check-in", "no check-in for a week", "no check-in yet",
        "no next session scheduled"}


async def test_pages_walk_every_row_once_in_order(pg_pool: asyncpg.Pool,
                                                  rows: list[dict]) -> None:
    everything = await dashboard_page.page(pg_pool, "t", "coach", T0, messaging=True,
                                           checkins=True, after=None, limit=len(rows))
    walked, after = [], None
    while True:
        page = await dashboard_page.page(pg_pool, "t", "coach", T0, messaging=True,
                                         checkins=True, after=after, limit=7)
        walked += [r["contract_id"] for r in page.rows]
        if len(page.rows) < 7:
            break
        last = page.rows[-1]
        after = dashboard_page.Key(last["score"], last["since"], last["contract_id"])
    assert walked == [r["contract_id"] for r in everything.rows]
    assert len(set(walked)) == len(rows)
