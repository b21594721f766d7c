"""The sponsor's programme totals are kept as the contracts' rows are written (migration 0006):
whatever the rows go through (activated, sessions held and missed, goals, a view changed, a
second contract of the same person, a row removed), the totals are those of the rows."""

from __future__ import annotations

from collections import defaultdict

import asyncpg

from interlude.engagement.domain.sponsor import totals_of
from interlude.engagement.wiring import MIGRATIONS
from interlude.shared.db import migrate


async def kept(pool: asyncpg.Pool) -> dict[tuple[str, str], dict[str, int]]:
    rows = await pool.fetch("SELECT * FROM sponsor_programmes WHERE people > 0")
    return {(r["sponsor_id"], r["programme"]): {k: v for k, v in dict(r).items() if k not in (
        "tenant_id", "sponsor_id", "programme")} for r in rows}


async def recounted(pool: asyncpg.Pool) -> dict[tuple[str, str], dict[str, int]]:
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in await pool.fetch("SELECT * FROM sponsor_contracts WHERE sponsor_view <> 'none'"):
        groups[(r["sponsor_id"], r["programme"])].append(dict(r))
    return {key: totals_of(rows) for key, rows in groups.items()}


async def test_the_programme_totals_follow_every_write_of_the_contracts_rows(
        pg_pool: asyncpg.Pool) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn, MIGRATIONS)
    insert = ("INSERT INTO sponsor_contracts (tenant_id, contract_id, sponsor_id, coachee_id,"
              " programme, sponsor_view, status, sessions_planned) VALUES ('t', $1, $2, $3, $4,"
              " $5, 'active', 6)")
    for i in range(7):
        await pg_pool.execute(insert, f"c{i}", "s1", f"p{i % 5}", "Leaders",
                              "goals" if i % 2 else "attendance")
    await pg_pool.execute(insert, "c7", "s1", "p1", "Others", "none")
    await pg_pool.execute(insert, "c8", "s2", "p1", "Leaders", "goals")
    assert await kept(pg_pool) == await recounted(pg_pool)
    updates = [
        "UPDATE sponsor_contracts SET sessions_held = sessions_held + 2 WHERE contract_id = 'c1'",
        "UPDATE sponsor_contracts SET sessions_missed = 1 WHERE contract_id = 'c2'",
        "UPDATE sponsor_contracts SET goals_set = 3, goals_achieved = 1"
        " WHERE contract_id IN ('c3', 'c5')",
        "UPDATE sponsor_contracts SET status = 'ended' WHERE contract_id = 'c0'",
        "UPDATE sponsor_contracts SET sponsor_view = 'none' WHERE contract_id = 'c6'",
        "UPDATE sponsor_contracts SET sponsor_view = 'goals' WHERE contract_id = 'c7'",
        "DELETE FROM sponsor_contracts WHERE contract_id = 'c5'"]
    for sql in updates:
        await pg_pool.execute(sql)
        assert await kept(pg_pool) == await recounted(pg_pool), sql
    totals = (await kept(pg_pool))[("s1", "Leaders")]
    assert (totals["people"], totals["goal_people"]) == (5, 2)  # p0..p4; c1 and c3 show goals
    await pg_pool.execute("DELETE FROM sponsor_contracts")  # a rebuild empties the read model
    assert await kept(pg_pool) == {}
