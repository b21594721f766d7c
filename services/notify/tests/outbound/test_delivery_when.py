"""When e-mail goes, on real servers: held through quiet hours (the contract's and the
person's own) and released once, in one message; cancelled when the organisation removes
e-mail from its channels; dropped when the recipient is forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from interlude.notify.app import preferences
from interlude.notify.domain.events import QuietHours
from interlude.shared.events.envelope import Actor

from .outbound_world import World


def around(now: datetime, zone: str = "UTC") -> QuietHours:
    """Quiet hours that hold ``now`` and end within the next two hours (whole minutes)."""
    start = (now - timedelta(hours=1)).strftime("%H:%M")
    end = (now + timedelta(hours=2)).strftime("%H:%M")
    return QuietHours(start=start, end=end, time_zone=zone)


async def pending(world: World, recipient: str) -> int:
    return int(await world.platform.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE tenant_id = $1 AND recipient_id = $2"
        " AND status = 'pending'", world.tenant_id, recipient))


async def test_what_arrives_in_quiet_hours_is_held_then_delivered_once_in_one_message(
        world: World) -> None:
    await world.policy()
    coach = await world.person("Claire Coach", "claire@example.org", "coach")
    coachee = await world.person("Amira Haddad", "amira@example.org")
    now = datetime.now(UTC)
    hours = around(now)
    for _ in range(3):
        await world.queue(coachee, actor=coach, quiet_hours=hours)
    await world.caught_up()
    sender = world.sender()
    assert await sender.run_due(now + timedelta(minutes=5)) == 0
    assert world.mails() == []
    ends = now + timedelta(hours=2, minutes=1)
    await sender.run_due(ends)
    await sender.run_due(ends + timedelta(minutes=1))
    await sender.run_due(ends + timedelta(days=1))
    [mail] = world.mails()
    assert len(mail["X-Interlude-Notifications"].split(",")) == 3
    assert len(await world.events("notify.NotificationDelivered")) == 3


async def test_the_persons_own_quiet_hours_hold_their_mail_too(world: World) -> None:
    await world.policy()
    coach = await world.person("Claire Coach", "claire@example.org", "coach")
    coachee = await world.person("Amira Haddad", "amira@example.org")
    now = datetime.now(UTC)
    ctx = world.deps.context(world.tenant_id, Actor(coachee, ("coachee",)))
    await preferences.change(world.deps, ctx, {}, around(now, "UTC"), "UTC", 8)
    await world.caught_up()
    await world.queue(coachee, actor=coach)
    await world.caught_up()
    assert await world.sender().run_due(now + timedelta(minutes=5)) == 0
    await world.sender().run_due(now + timedelta(hours=2, minutes=1))
    assert len(world.mails()) == 1


async def test_removing_email_from_the_channels_cancels_what_is_queued(world: World) -> None:
    await world.policy()
    coach = await world.person("Claire Coach", "claire@example.org", "coach")
    coachee = await world.person("Amira Haddad", "amira@example.org")
    now = datetime.now(UTC)
    held = [await world.queue(coachee, actor=coach, quiet_hours=around(now)) for _ in range(2)]
    await world.caught_up()
    await world.policy(notify__channels=["in_app"])
    await world.caught_up()
    assert await pending(world, coachee) == 0
    await world.sender().run_due(now + timedelta(days=3))
    assert world.mails() == []
    cancelled = await world.events("notify.NotificationCancelled")
    assert sorted(e["aggregate_id"] for e in cancelled) == sorted(held)
    assert {e["payload"]["reason"] for e in cancelled} == {"policy"}
    # queued while e-mail is off: nothing, not even later
    await world.queue(coachee, actor=coach)
    await world.caught_up()
    await world.policy()  # back on
    await world.caught_up()
    await world.sender().run_due(now + timedelta(days=4))
    assert world.mails() == []


async def test_mail_held_about_a_feature_switched_off_since_is_not_sent(world: World) -> None:
    """Held through quiet hours, then messaging was switched off: the reply's mail would lead
    to a page that refuses its reader. What else was held goes (a tag in the cohort)."""
    await world.policy()
    coach = await world.person("Claire Coach", "claire@example.org", "coach")
    coachee = await world.person("Amira Haddad", "amira@example.org")
    now = datetime.now(UTC)
    reply = await world.queue(coachee, actor=coach, quiet_hours=around(now))
    tagged = await world.queue(coachee, "member_tagged", actor=coach,
                               quiet_hours=around(now))
    await world.caught_up()
    await world.policy(messaging__enabled=False)
    await world.caught_up()
    await world.sender().run_due(now + timedelta(hours=2, minutes=1))
    [mail] = world.mails()
    cancelled = await world.events("notify.NotificationCancelled")
    assert [(e["aggregate_id"], e["payload"]["reason"]) for e in cancelled] == [(reply, "policy")]
    delivered = await world.events("notify.NotificationDelivered")
    assert [e["aggregate_id"] for e in delivered] == [tagged]
    assert mail["To"] == "amira@example.org"


async def test_a_forgotten_persons_queued_mail_is_dropped(world: World) -> None:
    await world.policy()
    coach = await world.person("Claire Coach", "claire@example.org", "coach")
    coachee = await world.person("Amira Haddad", "amira@example.org")
    other = await world.person("Sam Other", "sam@example.org")
    now = datetime.now(UTC)
    await world.queue(coachee, actor=coach, quiet_hours=around(now))
    await world.queue(other, actor=coach, quiet_hours=around(now))
    await world.caught_up()
    await world.forget(coachee)
    await world.caught_up()
    await world.sender().run_due(now + timedelta(days=1))
    [mail] = world.mails()
    assert mail["To"] == "sam@example.org"
    [cancelled] = await world.events("notify.NotificationCancelled")
    assert cancelled["payload"]["reason"] == "erased"



async def test_a_deactivated_persons_held_mail_is_not_sent(world: World) -> None:
    """Their account is off: an e-mail held for their quiet hours is cancelled when identity
    says so, and the sender looks again when it falls due (it may fall due first)."""
    await world.policy()
    coach = await world.person("Claire Coach", "claire@example.org", "coach")
    coachee = await world.person("Amira Haddad", "amira@example.org")
    leaver = await world.person("Lee Leaver", "lee@example.org")
    other = await world.person("Sam Other", "sam@example.org")
    now = datetime.now(UTC)
    for person in (coachee, leaver, other):
        await world.queue(person, actor=coach, quiet_hours=around(now))
    await world.caught_up()
    await world.deactivate(coachee)
    await world.caught_up()
    # the people copy has heard of the leaver, the cancellations not (yet)
    await world.platform.pool.execute("UPDATE people SET status = 'deactivated'"
                                      " WHERE tenant_id = $1 AND user_id = $2",
                                      world.tenant_id, leaver)
    await world.sender().run_due(now + timedelta(days=1))
    [mail] = world.mails()
    assert mail["To"] == "sam@example.org"
    cancelled = await world.events("notify.NotificationCancelled")
    assert sorted((e["payload"]["recipient_id"], e["payload"]["reason"]) for e in cancelled) \
        == sorted([(coachee, "deactivated"), (leaver, "deactivated")])
