"""Webhooks on real servers and a real receiver that verifies every signature: retries after
500s and delivery once it recovers, rotation that loses nothing, the dead-letter list and its
replay, content only at ``full``, and the channel switched off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from interlude.notify.adapters.webhook_http import HttpPoster
from interlude.notify.app import webhooks
from interlude.notify.app.webhook_delivery import WebhookSender
from interlude.notify.outbound_testing import Receiver
from interlude.shared.events.envelope import Actor
from interlude.shared.trust.cache import PolicyBlocked

from .outbound_world import World

TOPIC, EXCERPT = "TOPIC-7Q2X", "EXCERPT-K9W4"


async def endpoint(world: World, receiver: Receiver, *kinds: str) -> str:
    admin = Actor("admin-1", ("org_admin",))
    ctx = world.deps.context(world.tenant_id, admin)
    created = await webhooks.register(world.deps, ctx, receiver.url,
                                      list(kinds or ["coach_replied"]), None)
    receiver.secret = created.secret
    await world.caught_up()
    return created.written.id


async def run(world: World, at: datetime) -> int:
    async with httpx.AsyncClient(timeout=5) as client:
        poster = HttpPoster(client, private_addresses=True)  # the receiver is on this machine
        return await WebhookSender(world.deps, poster).run_due(at)


async def setup(world: World, **policy: object) -> tuple[str, str]:
    await world.policy(notify__channels=["in_app", "email", "webhook"], **policy)
    coach = await world.person("Claire Coach", "claire@example.org", "coach")
    coachee = await world.person("Amira Haddad", "amira@example.org")
    return coach, coachee


async def test_webhooks_need_the_channel_in_the_policy(world: World, receiver: Receiver) -> None:
    await world.policy()
    with pytest.raises(PolicyBlocked):
        await endpoint(world, receiver)


async def test_a_delivery_is_retried_after_500s_and_arrives_once_it_recovers(
        world: World, receiver: Receiver) -> None:
    coach, coachee = await setup(world)
    await endpoint(world, receiver)
    receiver.answers = [500, 500]
    nid = await world.queue(coachee, actor=coach, topic=TOPIC, excerpt=EXCERPT)
    await world.queue(coachee, "post_reacted", actor=coach)  # not subscribed
    await world.caught_up()
    now = datetime.now(UTC)
    assert await run(world, now) == 1
    assert await run(world, now + timedelta(seconds=59)) == 0
    assert await run(world, now + timedelta(seconds=61)) == 1
    await run(world, now + timedelta(seconds=61 + 121))
    assert [status for _, status in receiver.calls] == [500, 500, 200]
    assert len({webhook_id for webhook_id, _ in receiver.calls}) == 1  # one id: dedupable
    [got] = receiver.accepted
    assert got["type"] == "notification.coach_replied"
    assert got["data"]["notification_id"] == nid and got["data"]["actor_id"] == coach
    assert TOPIC not in str(got) and EXCERPT not in str(got) and "Claire" not in str(got)
    assert receiver.refused == 0
    assert len(await world.events("notify.WebhookDeliveryFailed")) == 2
    assert len(await world.events("notify.WebhookDelivered")) == 1


async def test_content_goes_only_at_full_and_a_pseudonym_stands_for_the_actor(
        world: World, receiver: Receiver) -> None:
    coach, coachee = await setup(world, notify__email_content="full")
    await endpoint(world, receiver, "post_commented")
    await world.queue(coachee, "post_commented", actor=coach, pseudonym="Quiet Heron",
                      topic=TOPIC, excerpt=EXCERPT)
    await world.caught_up()
    await run(world, datetime.now(UTC))
    [got] = receiver.accepted
    assert got["data"]["topic"] == TOPIC and got["data"]["excerpt"] == EXCERPT
    assert got["data"]["actor_pseudonym"] == "Quiet Heron"
    assert coach not in str(got) and "Claire" not in str(got)


async def test_rotating_the_secret_loses_no_delivery(world: World, receiver: Receiver) -> None:
    coach, coachee = await setup(world)
    endpoint_id = await endpoint(world, receiver)
    old = receiver.secret
    receiver.answers = [500]
    await world.queue(coachee, actor=coach)  # fails once, retried after the rotation
    await world.caught_up()
    now = datetime.now(UTC)
    await run(world, now)
    ctx = world.deps.context(world.tenant_id, Actor("admin-1", ("org_admin",)))
    rotated, until = await webhooks.rotate(world.deps, ctx, endpoint_id, None)
    assert until > now + timedelta(hours=23)
    await world.caught_up()
    await world.queue(coachee, actor=coach)
    await world.caught_up()
    await run(world, now + timedelta(seconds=61))  # signed with both: the old secret verifies
    assert len(receiver.accepted) == 2 and receiver.refused == 0
    receiver.secret = rotated.secret  # the receiver switches whenever it is ready
    await world.queue(coachee, actor=coach)
    await world.caught_up()
    await run(world, now + timedelta(seconds=62))
    assert len(receiver.accepted) == 3 and receiver.refused == 0
    receiver.secret = old  # after the grace period the old secret signs nothing
    await world.queue(coachee, actor=coach)
    await world.caught_up()
    await run(world, until + timedelta(minutes=1))
    assert receiver.refused == 1


async def test_a_delivery_that_keeps_failing_is_dead_lettered_and_can_be_replayed(
        world: World, receiver: Receiver) -> None:
    coach, coachee = await setup(world)
    await endpoint(world, receiver)
    attempts = world.deps.settings.webhook_max_attempts
    receiver.answers = [503] * attempts
    await world.queue(coachee, actor=coach)
    await world.caught_up()
    at = datetime.now(UTC)
    for _ in range(attempts):
        await run(world, at)
        at += timedelta(hours=5)
    ctx = world.deps.context(world.tenant_id, Actor("admin-1", ("org_admin",)))
    [dead] = await webhooks.dead_letters(world.deps, ctx, 50, None)
    assert dead["attempts"] == attempts and dead["last_reason"] == "http 503"
    assert receiver.accepted == []
    await webhooks.replay(world.deps, ctx, dead["delivery_id"])
    await run(world, datetime.now(UTC))
    assert len(receiver.accepted) == 1
    assert await webhooks.dead_letters(world.deps, ctx, 50, None) == []
    assert len(await world.events("notify.WebhookDeliveryReplayed")) == 1


async def test_switching_webhooks_off_cancels_the_queued_deliveries(
        world: World, receiver: Receiver) -> None:
    coach, coachee = await setup(world)
    await endpoint(world, receiver)
    receiver.answers = [500]
    await world.queue(coachee, actor=coach)
    await world.caught_up()
    now = datetime.now(UTC)
    await run(world, now)
    await world.policy(notify__channels=["in_app", "email"])
    await world.caught_up()
    assert await run(world, now + timedelta(hours=1)) == 0
    assert receiver.accepted == []
