"""The inbox comes out the same whether notify's stream is followed one event at a time or
rebuilt a batch at a time: a batch's reads are one statement, the first read of a
notification the one kept, and the unread counts agree."""

from __future__ import annotations

from interlude.notify.projections.inbox import Inbox
from interlude.notify.wiring import MIGRATIONS
from interlude.shared import directory
from interlude.shared.db import migrate
from interlude.shared.testing.batches import Events, one_by_one_then_at_once, rows, sealed
from interlude.shared.trust.projection import ensure_tables

ANN, BOB = "usr_ann", "usr_bob"


def a_morning_of_notifications() -> Events:
    s = Events("NOTIFY", "org_batches")
    for n, recipient in enumerate((ANN, ANN, BOB, ANN)):
        at = s.add("notify.NotificationQueued", f"ntf_{n}", "notify", recipient_id=recipient,
                   kind="message_received", cause_id=f"evt_{n}",
                   cause_type="engagement.MessageSent", link="/contracts/ctr_1/thread",
                   excerpt=sealed(recipient))
        s.recorded[-1].wire["payload"]["occurred_at"] = at.isoformat()
    for n, recipient in ((0, ANN), (2, BOB), (0, ANN), (3, ANN)):  # ntf_0 read twice
        s.add("notify.NotificationRead", f"ntf_{n}", recipient, recipient_id=recipient)
    # a read that comes before its notification (never, but one at a time it finds no row)
    s.add("notify.NotificationRead", "ntf_4", BOB, recipient_id=BOB)
    at = s.add("notify.NotificationQueued", "ntf_4", "notify", recipient_id=BOB,
               kind="message_received", cause_id="evt_4", cause_type="engagement.MessageSent",
               link="/contracts/ctr_1/thread", excerpt=sealed(BOB))
    s.recorded[-1].wire["payload"]["occurred_at"] = at.isoformat()
    return s


async def test_one_at_a_time_and_a_batch_at_once_keep_the_same_inbox(pg_pool):
    events = a_morning_of_notifications().recorded
    async with pg_pool.acquire() as conn:
        await migrate(conn, MIGRATIONS)
        await ensure_tables(conn)
        await directory.ensure_table(conn)
        one_by_one, at_once = await one_by_one_then_at_once(conn, Inbox(), events)
        assert at_once == one_by_one
        read = {r["notification_id"]: r["read_at"] for r in await conn.fetch(
            "SELECT notification_id, read_at FROM inbox")}
        assert read == {"ntf_0": events[4].envelope.occurred_at, "ntf_1": None,
                        "ntf_2": events[5].envelope.occurred_at,
                        "ntf_3": events[7].envelope.occurred_at, "ntf_4": None}
        assert await rows(conn, ("inbox_unread_counts",)) == {
            "inbox_unread_counts": ["(org_batches,usr_ann,1)", "(org_batches,usr_bob,1)"]}


async def test_a_notification_read_in_the_batch_that_queues_it_is_read_whether_stored_or_not(
        pg_pool):
    """Live, the reactions have stored the row before the inbox sees the notification queued;
    rebuilt, the batch stores it. Either way its read in the same batch marks it read."""
    s = Events("NOTIFY", "org_batches")
    at = s.add("notify.NotificationQueued", "ntf_live", "notify", recipient_id=ANN,
               kind="message_received", cause_id="evt_live",
               cause_type="engagement.MessageSent", link="/contracts/ctr_1/thread",
               excerpt=sealed(ANN))
    s.recorded[-1].wire["payload"]["occurred_at"] = at.isoformat()
    read_at = s.add("notify.NotificationRead", "ntf_live", ANN, recipient_id=ANN)
    async with pg_pool.acquire() as conn:
        await migrate(conn, MIGRATIONS)
        await ensure_tables(conn)
        await directory.ensure_table(conn)
        inbox = Inbox()
        for stored_before in (True, False):
            async with conn.transaction():
                await inbox.reset(conn)
                if stored_before:  # as the reactions store it
                    await inbox.apply(conn, s.recorded[:1])
                await inbox.apply(conn, s.recorded)
            assert await conn.fetchval("SELECT read_at FROM inbox") == read_at, stored_before
            assert await conn.fetchval("SELECT unread FROM inbox_unread_counts") == 0
