"""What community does when engagement's contracts change: a withdrawn pin consent unpins the
coachee's insights; a contract that ends, or stops agreeing community participation, takes the
coachee out of the coach's cohorts.

The worker runs these as a consumer of their own (``community-reactions`` on engagement's
stream), durable and checkpointed like a projection but appending commands instead of writing
rows. Each command acts as the system, carries the id of the event that caused it, takes its
time from that event, and is appended with a message id derived from that event and its
target: an event redelivered after a crash (before the checkpoint moved) is not applied twice,
and once the duplicate window has passed the aggregate finds nothing left to do. It decides
from the contracts read model, once that has seen the event. A consent withdrawal is honoured
even while the organisation has switched community off: the coachee's choice comes first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

from interlude.community.app.deps import Community
from interlude.community.domain import post as post_domain
from interlude.community.domain import space as space_domain
from interlude.community.projections import engagement_events as eng
from interlude.community.projections import queries
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.projections.base import Projection, RecordedEvent

NAME = "community-reactions"
SYSTEM = Actor.system("community")
CaughtUp = Callable[[int], Awaitable[bool]]  # has the contracts read model seen this position?
Reaction = Callable[[asyncpg.Connection, RecordedEvent], Awaitable[None]]


class ContractReactions(Projection):
    """Not a read model: it keeps no rows, and is never rebuilt (that would act again)."""

    name = NAME
    tables = ()
    rebuildable = False  # a replay would act again
    reads = (eng.engagement,)

    def __init__(self, deps: Community, contracts_caught_up: CaughtUp) -> None:
        super().__init__()
        self._deps = deps
        self._caught_up = contracts_caught_up
        self._reactions: dict[str, Reaction] = {
            "engagement.ConsentWithdrawn": self.when_consent_withdrawn_unpin,
            "engagement.ContractEnded": self.when_contract_ended_remove,
            "engagement.ContractActivated": self.when_contract_activated_remove}

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        for event in events:
            reaction = self._reactions.get(event.type)
            if reaction is None:
                continue
            if not await self._caught_up(event.position):
                # a TimeoutError is retried by the runner, never dead-lettered
                raise TimeoutError("community's contracts read model has not reached "
                                   f"{event!r} yet")
            self.decoded(event)
            await reaction(conn, event)

    async def reset(self, conn: asyncpg.Connection) -> None:
        raise RuntimeError("reactions are not rebuilt: replaying them would act again")

    def _ctx(self, event: RecordedEvent) -> CommandContext:
        return self._deps.context(event.tenant_id, SYSTEM, causation_id=event.envelope.event_id,
                                  now=event.envelope.occurred_at)

    def _key(self, event: RecordedEvent, target: str) -> str:
        return self._deps.derive("reaction", event.envelope.event_id, target)

    async def when_consent_withdrawn_unpin(self, conn: asyncpg.Connection,
                                           event: RecordedEvent) -> None:
        if event.of(eng.ConsentWithdrawn).consent != "pin_insights":
            return  # tags and shares already made stay; new ones are refused
        parties = await queries.contract_parties(conn, event.tenant_id, event.aggregate_id)
        if parties is None:
            return
        ctx = self._ctx(event)
        for post_id in await queries.pinned_posts_of(conn, event.tenant_id, *parties):
            await self._deps.posts.execute(
                event.tenant_id, post_id,
                lambda p: post_domain.unpin(p, "consent_withdrawn"), ctx,
                idempotency_key=self._key(event, post_id))

    async def when_contract_activated_remove(self, conn: asyncpg.Connection,
                                             event: RecordedEvent) -> None:
        """Amended terms that no longer agree community participation."""
        if not event.of(eng.ContractActivated).terms.channels.community:
            await self.when_contract_ended_remove(conn, event)

    async def when_contract_ended_remove(self, conn: asyncpg.Connection,
                                         event: RecordedEvent) -> None:
        parties = await queries.contract_parties(conn, event.tenant_id, event.aggregate_id)
        if parties is None:
            return
        coach_id, coachee_id = parties
        if await queries.agrees_community(conn, event.tenant_id, coach_id, coachee_id):
            return  # another active contract with this coach still agrees it
        ctx = self._ctx(event)
        for space_id in await queries.cohorts_holding(conn, event.tenant_id, coach_id,
                                                      coachee_id):
            await self._deps.spaces.execute(
                event.tenant_id, space_id,
                lambda s: space_domain.leave(s, SYSTEM.id, coachee_id, "contract_ended"), ctx,
                idempotency_key=self._key(event, space_id))
