"""community's reactions to engagement's contracts: each acts once per causing event, however
often that event is delivered, and the events it appends say which event caused them."""

from __future__ import annotations

import asyncio

from interlude.community.app import posts, spaces
from interlude.community.app.reactions import NAME as REACTIONS
from interlude.community.projections.contracts import NAME as CONTRACTS
from interlude.community.wiring import VIEWS, runners
from interlude.shared.events.envelope import Actor, Envelope
from interlude.shared.eventstore.base import AppendResult
from interlude.shared.ids import new_id
from interlude.shared.projections.base import RecordedEvent

from .conftest import Alone

COACH = Actor(id="coach-claire", roles=("coach",), kind="user")
AMIRA = Actor(id="coachee-amira", roles=("coachee",), kind="user")


async def pinned_post(alone: Alone, tenant: str, contract_id: str) -> tuple[str, str]:
    """A cohort with Amira in it under her contract, and her post pinned by the coach."""
    deps = alone.deps
    await alone.engagement_event(
        tenant, contract_id, "ContractActivated", coach_id=COACH.id, coachee_id=AMIRA.id,
        sponsor_id=None, terms_version=1, terms={"channels": {"community": True}},
        consents={"pin_insights": True, "peer_tagging": True, "share_posts": True})
    await alone.runners[CONTRACTS].catch_up()
    coach, amira = deps.context(tenant, COACH), deps.context(tenant, AMIRA)
    space = await spaces.create(deps, coach, kind="cohort", name="Saying no", description="",
                                pseudonymous=True)
    await spaces.invite(deps, coach, space.id, AMIRA.id)
    await spaces.join(deps, amira, space.id, None)
    post = await posts.publish(deps, amira, space.id, kind="small_win", body="I said no.")
    await posts.pin(deps, coach, space.id, post.id, None)
    await alone.runners[VIEWS].catch_up()
    return space.id, post.id


async def deliver_again(alone: Alone, envelope: Envelope, written: AppendResult,
                        times: int) -> None:
    """The event handed to the reactions ``times`` at once, as a runner that crashed before
    its checkpoint moved hands it over again (and another replica meanwhile)."""
    stream = alone.platform.stream("engagement")
    subject = stream.subject(envelope.tenant_id, "contract", envelope.aggregate_id)
    event = RecordedEvent(envelope.to_wire(), stream.name, subject, written.position, 0)
    reactions = alone.runners[REACTIONS].projection

    async def once() -> None:
        async with alone.platform.pool.acquire() as conn:
            await reactions.apply(conn, [event])

    await asyncio.gather(*(once() for _ in range(times)))


async def events_of(alone: Alone, subject: str, type_: str) -> list[Envelope]:
    read = await alone.deps.store.read(subject, 0)
    return [e for c in read.commits for e in c.envelopes if e.type == type_]


async def test_a_redelivered_consent_withdrawal_unpins_once_caused_by_it(alone: Alone) -> None:
    tenant, contract_id = new_id(), new_id()
    _, post_id = await pinned_post(alone, tenant, contract_id)
    withdrawal, written = await alone.engagement_event(
        tenant, contract_id, "ConsentWithdrawn", coachee_id=AMIRA.id, consent="pin_insights")
    await alone.runners[CONTRACTS].catch_up()

    await deliver_again(alone, withdrawal, written, times=3)
    await alone.runners[REACTIONS].catch_up()  # and the consumer's own delivery

    [unpinned] = await events_of(alone, alone.deps.posts.subject(tenant, post_id),
                                 "community.InsightUnpinned")
    assert unpinned.causation_id == withdrawal.event_id
    assert unpinned.occurred_at == withdrawal.occurred_at  # time from the event, not a clock
    assert unpinned.actor.kind == "system" and unpinned.payload["reason"] == "consent_withdrawn"


async def test_a_redelivered_contract_end_removes_the_member_once(alone: Alone) -> None:
    tenant, contract_id = new_id(), new_id()
    space_id, _ = await pinned_post(alone, tenant, contract_id)
    ended, written = await alone.engagement_event(
        tenant, contract_id, "ContractEnded", ended_by=AMIRA.id, party="coachee",
        coachee_id=AMIRA.id, reason=None)
    await alone.runners[CONTRACTS].catch_up()

    await alone.runners[REACTIONS].catch_up()
    await deliver_again(alone, ended, written, times=2)

    [left] = await events_of(alone, alone.deps.spaces.subject(tenant, space_id),
                             "community.MemberLeft")
    assert left.causation_id == ended.event_id and left.occurred_at == ended.occurred_at
    assert left.payload["reason"] == "contract_ended"
    space = await alone.deps.space(tenant, space_id)
    assert space.members[AMIRA.id].status == "left"


async def test_a_first_start_reacts_only_to_what_the_contracts_consumer_has_not_seen(
        alone: Alone) -> None:
    """Before the reactions had a consumer of their own, the contracts consumer reacted: an
    upgraded worker takes over where it stands instead of acting on old events again."""
    tenant, contract_id = new_id(), new_id()
    _, post_id = await pinned_post(alone, tenant, contract_id)
    await alone.engagement_event(tenant, contract_id, "ConsentWithdrawn", coachee_id=AMIRA.id,
                                 consent="pin_insights")
    await alone.runners[CONTRACTS].catch_up()  # as the old worker did, reaction and all

    upgraded = {r.name: r for r in await runners(alone.platform)}
    await upgraded[REACTIONS].catch_up()

    assert upgraded[REACTIONS].position == alone.runners[CONTRACTS].position
    assert await events_of(alone, alone.deps.posts.subject(tenant, post_id),
                           "community.InsightUnpinned") == []
