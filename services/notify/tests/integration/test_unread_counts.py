"""Each person's unread count is kept as their inbox is written (migration 0004): whatever a
statement does to the inbox (rows added, some read, all read, one marked unread again, a
forgotten person's inbox emptied), the count is that of the unread rows."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from interlude.notify.projections.queries import unread_count
from interlude.notify.wiring import MIGRATIONS
from interlude.shared.db import migrate

ADD = ("INSERT INTO inbox (tenant_id, notification_id, recipient_id, seq, kind, cause_type,"
       " occurred_at, link, read_at) SELECT 't', 'n' || $1::text || g, $1, g, 'message_received',"
       " 'engagement.MessageSent', now(), '/contracts', CASE WHEN g % 3 = 0 THEN now() END"
       " FROM generate_series($2::int, $3::int) g ON CONFLICT DO NOTHING")


async def agrees(pool: asyncpg.Pool, *people: str) -> list[int]:
    counts = []
    for person in people:
        counted = await pool.fetchval("SELECT count(*) FROM inbox WHERE tenant_id = 't'"
                                      " AND recipient_id = $1 AND read_at IS NULL", person)
        assert await unread_count(pool, "t", person) == counted, person
        counts.append(counted)
    return counts


async def test_the_unread_count_follows_every_write_of_the_inbox(pg_pool: asyncpg.Pool) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn, MIGRATIONS)
    await pg_pool.execute(ADD, "ann", 1, 9)  # 9 rows, 3 of them read
    await pg_pool.execute(ADD, "bob", 1, 3)
    await pg_pool.execute(ADD, "ann", 5, 12)  # 5..9 there already: 3 more, 1 read
    assert await agrees(pg_pool, "ann", "bob", "cyd") == [8, 2, 0]
    await pg_pool.execute("UPDATE inbox SET read_at = $1 WHERE notification_id = 'nann1'",
                          datetime.now(UTC))
    await pg_pool.execute("UPDATE inbox SET read_at = NULL WHERE notification_id = 'nann3'")
    await pg_pool.execute("UPDATE inbox SET kind = 'other' WHERE recipient_id = 'ann'")
    assert await agrees(pg_pool, "ann", "bob") == [8, 2]
    await pg_pool.execute("UPDATE inbox SET read_at = now() WHERE recipient_id = 'ann'"
                          " AND read_at IS NULL")  # read all
    await pg_pool.execute("DELETE FROM inbox WHERE recipient_id = 'bob'")  # forgotten
    assert await agrees(pg_pool, "ann", "bob") == [0, 0]
