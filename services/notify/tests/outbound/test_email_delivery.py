"""E-mail on real servers (nats-server, PostgreSQL, an aiosmtpd SMTP server): what a message
says at each content level, with whose name, sent once, and each send on the record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from interlude.notify.app import preferences
from interlude.notify.outbound_testing import everything
from interlude.shared.events.envelope import Actor

from .outbound_world import World

TOPIC, EXCERPT = "TOPIC-7Q2X", "EXCERPT-K9W4"


async def cast(world: World) -> tuple[str, str]:
    await world.policy()
    coach = await world.person("Claire Coach", "claire@example.org", "coach")
    coachee = await world.person("Amira Haddad", "amira@example.org")
    return coach, coachee


async def test_with_email_content_none_no_header_or_body_holds_the_content(world: World) -> None:
    coach, coachee = await cast(world)
    await world.queue(coachee, actor=coach, topic=TOPIC, excerpt=EXCERPT)
    await world.caught_up()
    await world.sender().run_due()
    [mail] = world.mails()
    text = everything(mail)
    assert TOPIC not in text and EXCERPT not in text
    assert mail["To"] == "amira@example.org"
    assert mail["Subject"] == "Claire Coach replied to you"
    assert "https://app.example/things/" in text
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "https://notify.example/v1/notify/unsubscribe?token=" in mail["List-Unsubscribe"]
    assert [a for a in await world.accesses() if a["payload"]["resource_type"] == "email"] == []


async def test_subject_shows_the_topic_and_full_the_excerpt(world: World) -> None:
    coach, coachee = await cast(world)
    await world.policy(notify__email_content="subject")
    await world.queue(coachee, actor=coach, topic=TOPIC, excerpt=EXCERPT)
    await world.caught_up()
    await world.sender().run_due()
    await world.policy(notify__email_content="full")
    await world.queue(coachee, actor=coach, topic=TOPIC, excerpt=EXCERPT)
    await world.caught_up()
    await world.sender().run_due()
    subject_level, full_level = (everything(m) for m in world.mails())
    assert TOPIC in subject_level and EXCERPT not in subject_level
    assert TOPIC in full_level and EXCERPT in full_level
    reads = [a for a in await world.accesses() if a["payload"]["resource_type"] == "email"]
    assert len(reads) == 2 and all(a["payload"]["data_subject"] == coach for a in reads)
    assert all(a["actor"]["id"] == coachee for a in reads)


async def test_a_pseudonymous_notification_never_carries_the_real_name(world: World) -> None:
    _, coachee = await cast(world)
    await world.policy(notify__email_content="full")
    peer = await world.person("Priya Ramanathan", "priya@example.org")
    await world.queue(coachee, "post_commented", actor=peer, pseudonym="Quiet Heron",
                      topic=TOPIC, excerpt=EXCERPT, owner=peer)
    await world.caught_up()
    await world.sender().run_due(datetime.now(UTC) + timedelta(days=2))  # a digest kind
    [mail] = world.mails()
    text = everything(mail)
    assert "Quiet Heron commented on your post" in text
    assert "Priya" not in text and "Ramanathan" not in text and peer not in text


async def test_a_notification_is_sent_once_and_recorded_as_delivered(world: World) -> None:
    coach, coachee = await cast(world)
    nid = await world.queue(coachee, actor=coach)
    await world.caught_up()
    sender = world.sender()
    later = datetime.now(UTC) + timedelta(hours=1)
    assert await sender.run_due() == 1
    assert await sender.run_due(later) == 0
    assert len(world.mails()) == 1
    [delivered] = await world.events("notify.NotificationDelivered")
    assert delivered["aggregate_id"] == nid
    assert delivered["payload"]["channel"] == "email"
    assert set(delivered["payload"]) == {"channel", "recipient_id", "batch_id"}  # no content
    assert await world.owed() == 0


async def test_a_replayed_event_schedules_nothing_twice(world: World) -> None:
    coach, coachee = await cast(world)
    await world.queue(coachee, actor=coach)
    await world.caught_up()
    await world.sender().run_due()
    outbox = world.runners[0]
    async with world.platform.pool.acquire() as conn:  # rebuild the outbound read models
        await conn.execute("UPDATE projection_checkpoints SET position = 0 WHERE projection"
                           " = $1", outbox.name)
    await outbox.stop()
    await outbox.start()
    await world.caught_up()
    assert await world.sender().run_due(datetime.now(UTC) + timedelta(days=8)) == 0
    assert len(world.mails()) == 1


async def test_preference_never_sends_nothing_and_daily_waits_for_the_digest(
        world: World) -> None:
    coach, coachee = await cast(world)
    ctx = world.deps.context(world.tenant_id, Actor(coachee, ("coachee",)))
    await preferences.change(world.deps, ctx, {"coach_replied": "never",
                                         "checkin_questioned": "daily"}, None,
                             "Asia/Tokyo", 9)
    await world.caught_up()
    await world.queue(coachee, "coach_replied", actor=coach)
    await world.queue(coachee, "checkin_questioned", actor=coach)
    await world.queue(coachee, "checkin_acknowledged", actor=coach)  # daily by default
    await world.caught_up()
    sender = world.sender()
    assert await sender.run_due() == 0
    await sender.run_due(datetime.now(UTC) + timedelta(days=1, minutes=1))
    [digest] = world.mails()
    assert digest["Subject"] == "2 new things are waiting for you on Interlude"
    assert len(digest["X-Interlude-Notifications"].split(",")) == 2

