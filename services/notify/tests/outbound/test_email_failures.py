"""An SMTP server that is away or answers 4xx holds the mail and it is retried with backoff;
a 5xx for one recipient is final for that one and does not hold up the others."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .outbound_world import World


async def two_people(world: World) -> tuple[str, str, str]:
    await world.policy()
    coach = await world.person("Claire Coach", "claire@example.org", "coach")
    a = await world.person("Amira Haddad", "amira@example.org")
    b = await world.person("Bo Berg", "bo@example.org")
    return coach, a, b


async def failures(world: World) -> list[dict]:
    return [e["payload"] for e in await world.events("notify.NotificationFailed")]


async def test_a_server_that_is_down_gets_the_mail_once_it_is_back(world: World) -> None:
    coach, a, _ = await two_people(world)
    world.smtp_down()
    await world.queue(a, actor=coach)
    await world.caught_up()
    sender, now = world.sender(), datetime.now(UTC)
    assert await sender.run_due(now) == 1
    assert await sender.run_due(now + timedelta(seconds=30)) == 0  # backing off: 60 s first
    assert await sender.run_due(now + timedelta(seconds=61)) == 1  # still down
    world.smtp_up()
    assert await sender.run_due(now + timedelta(seconds=90)) == 0  # next try at +181 s
    await sender.run_due(now + timedelta(seconds=182))
    assert len(world.mails()) == 1
    failed = await failures(world)
    assert [f["attempt"] for f in failed] == [1, 2] and not any(f["final"] for f in failed)
    assert failed[0]["reason"].startswith("smtp unreachable")
    assert len(await world.events("notify.NotificationDelivered")) == 1


async def test_a_4xx_holds_the_mail_until_the_next_try(world: World) -> None:
    coach, a, _ = await two_people(world)
    world.sink.busy = 1
    await world.queue(a, actor=coach)
    await world.caught_up()
    sender, now = world.sender(), datetime.now(UTC)
    await sender.run_due(now)
    assert world.mails() == []
    await world.queue(a, actor=coach)  # arrives meanwhile: goes in a message of its own
    await world.caught_up()
    await sender.run_due(now + timedelta(seconds=61))
    ids = sorted(m["Message-ID"] for m in world.mails())
    assert len(ids) == 2 and len(set(ids)) == 2
    assert (await failures(world))[0]["reason"] == "smtp 451"


async def test_a_5xx_for_one_recipient_does_not_block_the_others(world: World) -> None:
    coach, a, b = await two_people(world)
    world.sink.refuse["amira@example.org"] = 550
    nid = await world.queue(a, actor=coach)
    await world.queue(b, actor=coach)
    await world.caught_up()
    sender = world.sender()
    await sender.run_due()
    assert [m["To"] for m in world.mails()] == ["bo@example.org"]
    [failed] = await world.events("notify.NotificationFailed")
    assert failed["aggregate_id"] == nid
    assert failed["payload"]["final"] is True and failed["payload"]["reason"] == "smtp 550"
    assert await sender.run_due(datetime.now(UTC) + timedelta(days=1)) == 0  # given up


async def test_mail_is_given_up_after_the_last_attempt(world: World) -> None:
    coach, a, _ = await two_people(world)
    world.smtp_down()
    await world.queue(a, actor=coach)
    await world.caught_up()
    sender, at = world.sender(), datetime.now(UTC)
    for _ in range(world.deps.settings.email_max_attempts):
        await sender.run_due(at)
        at += timedelta(hours=2)
    failed = await failures(world)
    assert len(failed) == world.deps.settings.email_max_attempts
    assert failed[-1]["final"] is True and not any(f["final"] for f in failed[:-1])
    assert await sender.run_due(at + timedelta(days=1)) == 0


async def test_mail_for_someone_whose_address_is_not_known_yet_waits_for_it(
        world: World) -> None:
    await world.policy()
    coach = await world.person("Claire Coach", "claire@example.org", "coach")
    newcomer = "u-not-yet-known"
    await world.queue(newcomer, actor=coach)
    await world.caught_up()
    sender, now = world.sender(), datetime.now(UTC)
    await sender.run_due(now)
    assert world.mails() == []
    assert (await failures(world))[0]["reason"] == "no address known"
    await world.person("Nia Newcomer", "nia@example.org", user_id=newcomer)
    await world.caught_up()
    await sender.run_due(now + timedelta(seconds=61))
    assert [m["To"] for m in world.mails()] == ["nia@example.org"]
