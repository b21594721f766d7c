"""The coach dashboard a page at a time: the attention score of :mod:`..domain.attention` in
SQL, from each row's own columns (its deadlines kept by the projection), so that ordering a
coach's coachees costs a few operations a row and no look-up; the page's extras (next session,
community this week, insights pinned, the name) are looked up for the page's rows only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from interlude.engagement.domain import attention as a

Row = dict[str, Any]


def score_sql(now: str, messaging: str, checkins: str, row: str = "d") -> str:
    """:func:`..domain.attention.attention`'s score of the dashboard row ``row`` at ``now``,
    with messaging's and check-ins' facts counted only where ``messaging`` / ``checkins`` (SQL
    booleans) say the feature is on. Every name is an SQL expression (a parameter, say)."""
    r, most = row, a.COUNTED_UP_TO
    return (
        f"(CASE WHEN {messaging} THEN"
        f" (CASE WHEN {r}.reply_due_at < {now} THEN {a.OVERDUE} ELSE 0 END)"
        f" + (CASE WHEN {r}.unanswered <> 0 THEN {a.UNANSWERED}"
        f" + {a.PER_UNANSWERED} * least({r}.unanswered, {most}) ELSE 0 END) ELSE 0 END)"
        f" + (CASE WHEN {checkins} THEN"
        f" (CASE WHEN {r}.checkins_unacknowledged <> 0 THEN {a.TO_ACKNOWLEDGE}"
        f" + {a.PER_TO_ACKNOWLEDGE} * least({r}.checkins_unacknowledged, {most}) ELSE 0 END)"
        f" + (CASE WHEN {r}.last_mood <= {a.LOW_MOOD_AT_MOST} THEN {a.LOW_MOOD} ELSE 0 END)"
        f" + (CASE WHEN {r}.quiet_from IS NULL OR {r}.quiet_from <= {now} THEN {a.QUIET}"
        f" ELSE 0 END) ELSE 0 END)"
        f" + (CASE WHEN {r}.sessions_held < {r}.sessions_planned"
        f" AND ({r}.last_scheduled_at IS NULL OR {r}.last_scheduled_at < {now})"
        f" THEN {a.NO_NEXT_SESSION} ELSE 0 END)")


@dataclass(frozen=True)
class Key:
    """Where a line stands in the dashboard's order: attention first, then the coachee who has
    been with the coach longest, then the contract."""

    score: int
    since: datetime
    contract_id: str


@dataclass(frozen=True)
class Page:
    rows: list[Row]  # one more than asked for when there is a next page
    total: int
    needing_attention: int


# $1 tenant, $2 coach, $3 now, $4 messaging on, $5 check-ins on, $6..$8 the key after which
# the page begins (NULL: the first page), $9 the rows wanted, $10 a week before now, $11 one
# contract only (NULL: all).
_PAGE = f"""
WITH scored AS MATERIALIZED (
    SELECT d.contract_id, d.since, {score_sql("$3", "$4", "$5")} AS score FROM dashboard d
    WHERE d.tenant_id = $1 AND d.coach_id = $2 AND d.status = 'active'
      AND ($11::text IS NULL OR d.contract_id = $11)),
totals AS (
    SELECT count(*) AS total, count(*) FILTER (WHERE score > 0) AS needing_attention
    FROM scored),
page AS (
    SELECT * FROM scored
    WHERE $6::int IS NULL OR (-score, since, contract_id) > (-$6::int, $7::timestamptz, $8::text)
    ORDER BY score DESC, since, contract_id LIMIT $9)
SELECT totals.*, page.score, d.*, p.display_name,
    (SELECT min(s.starts_at) FROM dashboard_sessions s WHERE s.tenant_id = d.tenant_id
      AND s.contract_id = d.contract_id AND s.status = 'scheduled' AND s.starts_at >= $3)
      AS next_session_at,
    (SELECT count(*) FROM dashboard_community c WHERE c.tenant_id = d.tenant_id
      AND c.user_id = d.coachee_id AND c.kind IN ('post', 'comment') AND c.at >= $10)
      AS community_this_week,
    (SELECT count(*) FILTER (WHERE kind = 'insight_pinned')
      - count(*) FILTER (WHERE kind = 'insight_unpinned') FROM dashboard_community c
      WHERE c.tenant_id = d.tenant_id AND c.user_id = d.coachee_id
      AND c.kind IN ('insight_pinned', 'insight_unpinned')) AS insights_pinned
FROM totals
LEFT JOIN (page JOIN dashboard d ON d.tenant_id = $1 AND d.contract_id = page.contract_id
           LEFT JOIN people p ON p.tenant_id = d.tenant_id AND p.user_id = d.coachee_id)
    ON true
ORDER BY page.score DESC, page.since, page.contract_id
"""


async def page(pool: asyncpg.Pool, tenant_id: str, coach_id: str, now: datetime, *,
               messaging: bool, checkins: bool, after: Key | None, limit: int,
               contract_id: str | None = None) -> Page:
    """Up to ``limit`` of the coach's active lines after ``after`` in attention order (names
    still sealed), and the caseload's totals at ``now`` under the same blocks."""
    key = (after.score, after.since, after.contract_id) if after else (None, None, None)
    found = await pool.fetch(_PAGE, tenant_id, coach_id, now, messaging, checkins, *key, limit,
                             now - timedelta(days=7), contract_id)
    head = found[0]
    rows = [dict(r) for r in found if r["contract_id"] is not None]
    return Page(rows, head["total"], head["needing_attention"])


async def insights(pool: asyncpg.Pool, tenant_id: str, coach_id: str, coachee_ids: list[str],
                   each: int) -> list[Row]:
    """The latest ``each`` insights this coach pinned of each of ``coachee_ids``, newest
    first (notes sealed)."""
    rows = await pool.fetch(
        "SELECT i.* FROM unnest($3::text[]) AS u(user_id), LATERAL (SELECT post_id, user_id,"
        " space_id, note, pinned_at FROM dashboard_insights WHERE tenant_id = $1"
        " AND coach_id = $2 AND user_id = u.user_id ORDER BY pinned_at DESC LIMIT $4) AS i"
        " ORDER BY i.pinned_at DESC", tenant_id, coach_id, coachee_ids, each)
    return [dict(r) for r in rows]
