"""Killing the e-mail sender and the SMTP server in the middle of a burst: after both restart,
every notification is delivered exactly once per recipient (one Message-ID each, which a
receiver de-duplicates by; see ADR 0010 for the one window where the same message can be
handed over twice) and recorded as delivered once."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from interlude.notify.adapters.smtp import SmtpMailer
from interlude.notify.app.delivery import EmailSender, repeat
from interlude.shared.testing.eventually import eventually

from .outbound_world import World


async def sent(world: World) -> int:
    return int(await world.platform.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE tenant_id = $1 AND status = 'sent'", world.tenant_id))


async def test_killing_the_sender_and_the_smtp_server_mid_burst_loses_and_doubles_nothing(
        world: World) -> None:
    await world.policy()
    coach = await world.person("Claire Coach", "claire@example.org", "coach")
    people = [await world.person(f"Person {i}", f"p{i}@example.org") for i in range(8)]
    queued = [await world.queue(people[i % 8], actor=coach) for i in range(40)]
    await world.caught_up()

    mailer = SmtpMailer("127.0.0.1", world.smtp_port, timeout=5)
    first = asyncio.create_task(repeat(EmailSender(world.deps, mailer).run_due, 0.05))
    await eventually(lambda: len(world.sink.messages()) >= 2, timeout=20, what="a few mails")
    first.cancel()  # the sender dies wherever it is
    await asyncio.wait_for(asyncio.gather(first, return_exceptions=True), 10)
    world.smtp_down()
    queued += [await world.queue(people[i % 8], actor=coach) for i in range(10)]
    await world.caught_up()
    world.smtp_up()
    # the restarted sender lives after the dead one's leases ran out
    later = dataclasses.replace(world.deps,
                                clock=lambda: datetime.now(UTC) + timedelta(minutes=5))
    second = asyncio.create_task(repeat(EmailSender(later, mailer).run_due, 0.05))
    try:
        await eventually(lambda: _all_sent(world, len(queued)), timeout=30,
                         what="every notification sent")
    finally:
        second.cancel()
        await asyncio.gather(second, return_exceptions=True)

    carried: dict[str, set[str]] = defaultdict(set)
    for mail in world.mails():
        for nid in mail["X-Interlude-Notifications"].split(","):
            carried[nid.strip()].add(mail["Message-ID"])
    assert sorted(carried) == sorted(queued)
    assert all(len(ids) == 1 for ids in carried.values())
    delivered = await world.events("notify.NotificationDelivered")
    assert sorted(e["aggregate_id"] for e in delivered) == sorted(queued)


async def _all_sent(world: World, total: int) -> bool:
    return await sent(world) == total
