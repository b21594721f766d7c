"""Reads of engagement's read models. Callers have already checked who may see what; content
comes back sealed (see ``sealed.reveal``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

Row = dict[str, Any]


async def contracts_of(pool: asyncpg.Pool, tenant_id: str, user_id: str) -> list[Row]:
    rows = await pool.fetch(
        "SELECT * FROM contracts WHERE tenant_id = $1 AND $2 IN (coach_id, coachee_id,"
        " coalesce(sponsor_id, '')) ORDER BY proposed_at DESC", tenant_id, user_id)
    return [dict(r) for r in rows]


async def sessions(pool: asyncpg.Pool, tenant_id: str, contract_id: str) -> list[Row]:
    rows = await pool.fetch("SELECT * FROM sessions WHERE tenant_id = $1 AND contract_id = $2"
                            " ORDER BY starts_at", tenant_id, contract_id)
    return [dict(r) for r in rows]


async def checkins(pool: asyncpg.Pool, tenant_id: str, contract_id: str, limit: int,
                   before: datetime | None) -> list[Row]:
    rows = await pool.fetch(
        "SELECT * FROM checkins WHERE tenant_id = $1 AND contract_id = $2"
        " AND ($3::timestamptz IS NULL OR posted_at < $3) ORDER BY posted_at DESC LIMIT $4",
        tenant_id, contract_id, before, limit)
    return [dict(r) for r in rows]


async def messages(pool: asyncpg.Pool, tenant_id: str, contract_id: str, after: int,
                   limit: int) -> tuple[list[Row], dict[str, int]]:
    rows = await pool.fetch(
        "SELECT * FROM messages WHERE tenant_id = $1 AND contract_id = $2 AND number > $3"
        " ORDER BY number LIMIT $4", tenant_id, contract_id, after, limit)
    reads = await pool.fetch("SELECT party, up_to FROM thread_reads WHERE tenant_id = $1"
                             " AND contract_id = $2", tenant_id, contract_id)
    return [dict(r) for r in rows], {r["party"]: r["up_to"] for r in reads}


async def goals(pool: asyncpg.Pool, tenant_id: str, contract_id: str) -> list[Row]:
    rows = await pool.fetch("SELECT * FROM goals WHERE tenant_id = $1 AND contract_id = $2"
                            " ORDER BY set_at", tenant_id, contract_id)
    return [dict(r) for r in rows]


async def experiments(pool: asyncpg.Pool, tenant_id: str, contract_id: str) -> list[Row]:
    rows = await pool.fetch("SELECT * FROM experiments WHERE tenant_id = $1"
                            " AND contract_id = $2 ORDER BY planned_at", tenant_id, contract_id)
    return [dict(r) for r in rows]


async def sponsor_contracts(pool: asyncpg.Pool, tenant_id: str, sponsor_id: str) -> list[Row]:
    rows = await pool.fetch("SELECT * FROM sponsor_contracts WHERE tenant_id = $1"
                            " AND sponsor_id = $2 AND sponsor_view <> 'none'"
                            " ORDER BY programme", tenant_id, sponsor_id)
    return [dict(r) for r in rows]


async def sponsor_programmes(pool: asyncpg.Pool, tenant_id: str, sponsor_id: str) -> list[Row]:
    """Per programme the sponsor has contracts in (sponsor view not ``none``), its totals, as
    kept while the contracts' rows were written: one row a programme, however large."""
    rows = await pool.fetch(
        "SELECT programme, people, contracts_active, sessions_planned, sessions_held,"
        " sessions_missed, goal_people, goals_set, goals_achieved FROM sponsor_programmes"
        " WHERE tenant_id = $1 AND sponsor_id = $2 AND people > 0 ORDER BY programme",
        tenant_id, sponsor_id)
    return [dict(r) for r in rows]


async def feed_owner(pool: asyncpg.Pool, digest: str) -> Row | None:
    row = await pool.fetchrow(
        "SELECT f.tenant_id, f.user_id FROM calendar_feeds f JOIN people p"
        " ON p.tenant_id = f.tenant_id AND p.user_id = f.user_id AND p.status = 'active'"
        " WHERE f.token_digest = $1", digest)
    return dict(row) if row else None


async def sessions_of_person(pool: asyncpg.Pool, tenant_id: str, user_id: str) -> list[Row]:
    rows = await pool.fetch(
        "SELECT s.*, c.terms->'sessions'->>'count' AS planned FROM sessions s"
        " JOIN contracts c ON c.tenant_id = s.tenant_id AND c.contract_id = s.contract_id"
        " WHERE s.tenant_id = $1 AND $2 IN (s.coach_id, s.coachee_id)"
        # the contract's word on outside platforms: no sessions in an outside calendar
        " AND coalesce((c.terms->'outside_platforms'->>'sessions_in_outside_calendars')"
        "::boolean, true) ORDER BY s.starts_at",
        tenant_id, user_id)
    return [dict(r) for r in rows]


async def replace_feed(pool: asyncpg.Pool, tenant_id: str, user_id: str, digest: str,
                       now: datetime) -> None:
    """A person's feed URL, new or reset: the previous one stops working at once."""
    await pool.execute(
        "INSERT INTO calendar_feeds (token_digest, tenant_id, user_id, created_at)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, user_id) DO UPDATE"
        " SET token_digest = excluded.token_digest, created_at = excluded.created_at",
        digest, tenant_id, user_id, now)


async def oldest_unanswered(pool: asyncpg.Pool, tenant_id: str,
                            contract_id: str) -> tuple[int, datetime | None]:
    """Coachee messages since the coach last wrote: how many, and since when."""
    row = await pool.fetchrow(
        "SELECT count(*) AS waiting, min(sent_at) AS since FROM messages WHERE tenant_id = $1"
        " AND contract_id = $2 AND party = 'coachee' AND number > coalesce((SELECT max(number)"
        " FROM messages WHERE tenant_id = $1 AND contract_id = $2 AND party = 'coach'), 0)",
        tenant_id, contract_id)
    return int(row["waiting"]), row["since"]


async def of_person(pool: asyncpg.Pool, tenant_id: str,
                    user_id: str) -> dict[str, list[Row]]:
    """What engagement keeps about ``user_id`` (subject access): the contracts they are a
    party to with their sessions, and, of the contracts where they are the coachee, the
    check-ins, messages, goals and experiments (all sealed for the coachee)."""
    t, u = tenant_id, user_id
    queries = {
        "contracts": ("SELECT contract_id, coach_id, coachee_id, sponsor_id, status, programme,"
                      " terms, terms_version, consents, proposed_at, activated_at, ended_at"
                      " FROM contracts WHERE tenant_id = $1 AND $2 IN (coach_id, coachee_id,"
                      " sponsor_id) ORDER BY proposed_at"),
        "sessions": ("SELECT contract_id, starts_at, minutes, mode, status FROM sessions"
                     " WHERE tenant_id = $1 AND $2 IN (coach_id, coachee_id) ORDER BY starts_at"),
        "checkins": ("SELECT contract_id, posted_at, mood, small_win, text, liked, questions"
                     " FROM checkins WHERE tenant_id = $1 AND coachee_id = $2"
                     " ORDER BY posted_at"),
        "messages": ("SELECT contract_id, number, party, sent_at, body, attachments FROM messages"
                     " WHERE tenant_id = $1 AND coachee_id = $2 ORDER BY contract_id, number"),
        "messages_sent_as_coach": ("SELECT contract_id, count(*) AS sent, max(sent_at) AS last"
                                   " FROM messages WHERE tenant_id = $1 AND sender_id = $2"
                                   " AND coachee_id <> $2 GROUP BY contract_id"),
        "goals": ("SELECT contract_id, title, status, progress, notes, set_at, closed_at"
                  " FROM goals WHERE tenant_id = $1 AND coachee_id = $2 ORDER BY set_at"),
        "experiments": ("SELECT contract_id, goal_id, belief, behaviour, result, learning,"
                        " planned_at, reported_at FROM experiments WHERE tenant_id = $1"
                        " AND coachee_id = $2 ORDER BY planned_at"),
        "materials": ("SELECT contract_id, kind, title, url, note, reflection, shared_at,"
                      " opened_at, done_at FROM materials WHERE tenant_id = $1"
                      " AND coachee_id = $2 ORDER BY shared_at"),
    }
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                       readonly=True):
        return {name: await conn.fetch(sql, t, u) for name, sql in queries.items()}


async def past_retention(pool: asyncpg.Pool, now: datetime, limit: int = 100) -> list[Row]:
    """Ended contracts whose content has outlived the retention their terms agreed and is not
    yet erased, every organisation's (the retention job's round), oldest ending first."""
    rows = await pool.fetch(
        "SELECT tenant_id, contract_id, coachee_id, ended_at FROM contracts"
        " WHERE status = 'ended' AND content_expired_at IS NULL AND ended_at IS NOT NULL"
        " AND ended_at + make_interval(days => coalesce((terms->>'retention_days')::int, 365))"
        " <= $1 ORDER BY ended_at LIMIT $2", now, limit)
    return [dict(r) for r in rows]


async def materials(pool: asyncpg.Pool, tenant_id: str, contract_id: str) -> list[Row]:
    rows = await pool.fetch("SELECT * FROM materials WHERE tenant_id = $1 AND contract_id = $2"
                            " ORDER BY shared_at DESC", tenant_id, contract_id)
    return [dict(r) for r in rows]
