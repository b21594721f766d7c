"""Notifications expire: the retention job removes an organisation's notifications older than
its retention (the inbox, the records of e-mails sent), keeps the recent ones and what is still
on its way, reports what went as ``notify.NotificationsExpired`` (counts by kind, no content),
runs again only when its durable timer is due, and a rebuild keeps nothing it removed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from interlude.notify.app.outbound import VIEWS
from interlude.notify.app.retention import Retention
from interlude.notify.projections.inbox import Inbox
from interlude.shared.projections.runner import ProjectionRunner

from .outbound_world import World

EXCERPT = "EXCERPT-R3TN"


async def _rows(world: World, table: str) -> list[dict[str, Any]]:
    return [dict(r) for r in await world.platform.pool.fetch(
        f"SELECT * FROM {table} WHERE tenant_id = $1", world.tenant_id)]


async def test_old_notifications_are_removed_recent_ones_kept_and_the_round_reported(
        world: World) -> None:
    await world.policy(data__retention_days=30)  # shorter than notify.retention_days (180)
    coach = await world.person("Claire Coach", "claire@example.org", "coach")
    coachee = await world.person("Amira Haddad", "amira@example.org")
    now = datetime.now(UTC)
    long_ago = now - timedelta(days=40)
    old = [await world.queue(coachee, actor=coach, excerpt=EXCERPT, at=long_ago),
           await world.queue(coachee, "checkin_acknowledged", actor=coach, at=long_ago),
           await world.queue(coach, "message_received", actor=coachee, at=long_ago)]
    recent = await world.queue(coachee, actor=coach, excerpt=EXCERPT, at=now - timedelta(days=2))
    await world.caught_up()
    await world.sender().run_due()
    platform = world.platform
    inbox = ProjectionRunner(Inbox(), platform.stream("notify"), platform.nc, platform.pool,
                             deadletters=platform.stream("deadletter"))
    await inbox.catch_up()
    assert len(await _rows(world, "inbox")) == 4
    sent = {r["notification_id"] for r in await _rows(world, "outbox") if r["status"] == "sent"}
    assert old[0] in sent and recent in sent

    clock = [now]
    job = Retention(world.platform.pool, timedelta(hours=1), lambda: clock[0])
    assert await job.run_due() == 1
    assert [r["notification_id"] for r in await _rows(world, "inbox")] == [recent]
    kept = {r["notification_id"] for r in await _rows(world, "outbox")}
    assert recent in kept and not (kept & sent - {recent})
    [report] = await world.events("notify.NotificationsExpired")
    assert report["aggregate_id"] == world.tenant_id
    payload = report["payload"]
    assert payload["retention_days"] == 30
    assert payload["inbox"] == {"checkin_acknowledged": 1, "coach_replied": 1,
                                "message_received": 1}
    assert payload["email"] == len(sent) - 1
    assert EXCERPT not in str(report) and "Amira" not in str(report)

    # the next round waits for its timer; when due it finds nothing more and reports nothing
    assert await job.run_due() == 0
    clock[0] = now + timedelta(hours=2)
    assert await Retention(world.platform.pool, timedelta(hours=1),
                           lambda: clock[0]).run_due() == 0
    assert len(await world.events("notify.NotificationsExpired")) == 1
    assert await world.platform.pool.fetchval(
        "SELECT due_at FROM due_work WHERE work_id = 'retention'") == now + timedelta(hours=3)

    # a rebuild of the inbox keeps nothing the job removed; a replay of the outbox sends nothing
    await inbox.rebuild(progress=lambda _: None)
    assert [r["notification_id"] for r in await _rows(world, "inbox")] == [recent]
    mailed = len(world.mails())
    [outbox] = [r for r in world.runners if r.name == VIEWS]
    await outbox.rebuild(progress=lambda _: None)
    await world.sender().run_due()
    assert len(world.mails()) == mailed
    assert {r["notification_id"] for r in await _rows(world, "outbox")} == kept
