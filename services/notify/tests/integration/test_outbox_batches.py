"""What goes out beyond the inbox is decided the same whether notify's stream is followed one
notification at a time or a batch at a time: the same e-mails, due at the same times, the same
webhook deliveries, the same timers, with each organisation's policy, each person's
preferences and the retention job's mark applied to each notification."""

from __future__ import annotations

import json
from datetime import timedelta

from interlude.notify.projections.outbox import Outbox
from interlude.notify.wiring import MIGRATIONS
from interlude.shared import directory
from interlude.shared.db import migrate
from interlude.shared.projections.base import RecordedEvent
from interlude.shared.testing.batches import START, Events, rows, sealed
from interlude.shared.trust.projection import ensure_tables

OPEN, NO_EMAIL, UNKNOWN = "org_open", "org_no_email", "org_unknown"  # the last: no policy yet
ANN, BOB, CAT = "usr_ann", "usr_bob", "usr_cat"
TABLES = ("outbox", "webhook_deliveries", "due_work")


def a_busy_hour() -> list[RecordedEvent]:
    recorded: list[RecordedEvent] = []
    n = 0
    for tenant in (OPEN, NO_EMAIL, UNKNOWN):
        s = Events("NOTIFY", tenant)
        for recipient, kind in ((ANN, "coach_replied"), (BOB, "coach_replied"),
                                (ANN, "post_reacted"), (CAT, "checkin_questioned"),
                                (BOB, "session_moved")):
            n += 1
            at = s.add("notify.NotificationQueued", f"ntf_{n}", "notify", recipient_id=recipient,
                       kind=kind, cause_id=f"evt_{n}", cause_type="engagement.MessageSent",
                       link="/contracts/ctr_1/thread", excerpt=sealed(recipient),
                       quiet_hours={"start": "22:00", "end": "07:00", "time_zone": "UTC"}
                       if recipient == CAT else None)
            # the first of each organisation's happened before its retention mark
            s.recorded[-1].wire["payload"]["occurred_at"] = (
                at - timedelta(days=400) if recipient == ANN and kind == "coach_replied"
                else at).isoformat()
        recorded += s.recorded
    return recorded


async def given(conn) -> None:
    for tenant, channels in ((OPEN, ["in_app", "email", "webhook"]),
                             (NO_EMAIL, ["in_app", "webhook"])):
        await conn.execute("INSERT INTO trust_policies (tenant_id, version, policy, position)"
                           " VALUES ($1, 1, $2::jsonb, 1)", tenant,
                           json.dumps({"notify.channels": channels}))
    for tenant in (OPEN, NO_EMAIL, UNKNOWN):
        await conn.execute("INSERT INTO retention (tenant_id, expired_before, applied_at)"
                           " VALUES ($1, $2, $2)", tenant, START - timedelta(days=200))
        # Bob wants moved sessions never by e-mail, and replies in a weekly digest at 18:00
        await conn.execute(
            "INSERT INTO preferences (tenant_id, user_id, email, time_zone, digest_hour,"
            " position) VALUES ($1, $2, $3::jsonb, 'Europe/Paris', 18, 1)", tenant, BOB,
            json.dumps({"session_moved": "never", "coach_replied": "weekly"}))
        for endpoint, kinds in (("end_a", ["coach_replied", "post_reacted"]),
                                ("end_b", ["coach_replied"]), ("end_gone", ["coach_replied"])):
            await conn.execute(
                "INSERT INTO webhook_endpoints (tenant_id, endpoint_id, url, kinds, removed,"
                " created_at) VALUES ($1, $2, 'https://hooks.example/in', $3, $4, $5)",
                tenant, endpoint, kinds, endpoint == "end_gone", START)


async def test_one_at_a_time_and_a_batch_at_once_send_the_same(pg_pool):
    events, outbox = a_busy_hour(), Outbox()
    async with pg_pool.acquire() as conn:
        await migrate(conn, MIGRATIONS)
        await ensure_tables(conn)
        await directory.ensure_table(conn)
        await given(conn)
        for event in events:
            async with conn.transaction():
                await outbox.apply(conn, [event])
        one_by_one = await rows(conn, TABLES)
        for table in TABLES:
            await conn.execute(f"DELETE FROM {table}")
        async with conn.transaction():
            await outbox.apply(conn, events)
        assert await rows(conn, TABLES) == one_by_one
        async with conn.transaction():  # a replay of the same batch adds nothing
            await outbox.apply(conn, events)
        assert await rows(conn, TABLES) == one_by_one

        mails = {(r["tenant_id"], r["notification_id"]): r for r in await conn.fetch(
            "SELECT tenant_id, notification_id, recipient_id, kind, due_at FROM outbox")}
        # no e-mail where the policy removed it, none before the retention mark, none Bob
        # refused; an organisation whose policy is not known yet has its e-mails decided at
        # send time
        assert sorted(mails) == [(OPEN, "ntf_2"), (OPEN, "ntf_3"), (OPEN, "ntf_4"),
                                 (UNKNOWN, "ntf_12"), (UNKNOWN, "ntf_13"), (UNKNOWN, "ntf_14")]
        assert mails[OPEN, "ntf_2"]["due_at"].weekday() == 0  # Bob's weekly digest
        timers = await conn.fetch("SELECT work_id, kind FROM due_work ORDER BY work_id")
        assert {r["kind"] for r in timers} == {"email", "webhook"}
        assert sum(r["kind"] == "email" for r in timers) == len(mails)
        hooks = await conn.fetch("SELECT tenant_id, endpoint_id, notification_id"
                                 " FROM webhook_deliveries ORDER BY 1, 3, 2")
        assert [tuple(r) for r in hooks if r["tenant_id"] == OPEN] == [
            (OPEN, "end_a", "ntf_2"), (OPEN, "end_b", "ntf_2"), (OPEN, "end_a", "ntf_3")]
        assert {r["tenant_id"] for r in hooks} == {OPEN, NO_EMAIL, UNKNOWN}
