"""The live feed of the inbox on a real PostgreSQL: a recipient's streams wake when their inbox
grows, no one else's do, and a listening connection that is lost is made again."""

from __future__ import annotations

import asyncio

import asyncpg

from interlude.notify.app.live import CHANNEL, Live
from interlude.shared.testing.eventually import eventually


async def test_a_recipients_streams_wake_and_others_do_not(postgres_dsn: str,
                                                           pg_pool: asyncpg.Pool) -> None:
    live = Live(postgres_dsn)
    await live.start()
    try:
        with live.watching("t1", "amira") as amira, live.watching("t1", "ben") as ben:
            await pg_pool.execute("SELECT pg_notify($1, 't1:amira:7')", CHANNEL)
            await asyncio.wait_for(amira.wait(), timeout=5)
            assert not ben.is_set()
    finally:
        await live.stop()


async def test_the_feed_listens_again_after_its_connection_is_lost(
        postgres_dsn: str, pg_pool: asyncpg.Pool) -> None:
    live = Live(postgres_dsn)
    await live.start()
    try:
        with live.watching("t1", "amira") as woken:
            first = live._conn
            assert first is not None
            await pg_pool.execute("SELECT pg_terminate_backend($1)", first.get_server_pid())

            def listening_again() -> bool:
                return live._conn is not None and live._conn is not first \
                    and not live._conn.is_closed()

            await eventually(listening_again, timeout=10, what="a new listening connection")
            await asyncio.wait_for(woken.wait(), timeout=5)  # streams look again at once
            woken.clear()
            await pg_pool.execute("SELECT pg_notify($1, 't1:amira:8')", CHANNEL)
            await asyncio.wait_for(woken.wait(), timeout=5)
    finally:
        await live.stop()
