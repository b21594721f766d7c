"""The contracts' retention: once a contract has ended longer ago than the ``retention_days``
its terms agreed, its coaching content (check-ins, messages, goals, experiments) is erased: the
key it is sealed under (``domain.contract.content_subject``) is shredded, so every copy in the
stream, backups included, is unreadable; then ``ContractContentExpired`` is recorded on the
contract, and the read models drop the rows. The parties keep the contract itself (terms,
sessions, consents), and are told through notify.

The worker runs a round at its start and then every ``retention_interval_s``. A round keeps no
state of its own: what is due follows from the read model, so a round missed while the worker
was down is made up by the next. The key is shredded before the event is appended: a crash in
between leaves the contract due, and the next round shreds again (a no-op) and records it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from interlude.engagement.domain.contract import Contract, content_subject, expire_content
from interlude.engagement.projections import queries
from interlude.shared.events.envelope import Actor
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.base import StoreUnavailable
from interlude.shared.eventstore.repository import Repository
from interlude.shared.kit.app import command_context
from interlude.shared.sealing import Sealer

log = logging.getLogger(__name__)
ACTOR = Actor.system("engagement-retention")


def _expiring(ended_at: datetime, now: datetime) -> Callable[[Contract], list[Event]]:
    return lambda state: expire_content(state, ended_at, now)


@dataclass
class Retention:
    contracts: Repository[Contract]
    pool: asyncpg.Pool
    sealer: Sealer

    async def round(self, now: datetime | None = None) -> int:
        """Erase the content of every contract past its retention; how many were."""
        now = now or datetime.now(UTC)
        done = 0
        for row in await queries.past_retention(self.pool, now):
            tenant, contract_id = row["tenant_id"], row["contract_id"]
            await self.sealer.shred(tenant, content_subject(row["coachee_id"], contract_id))
            ctx = command_context(tenant, ACTOR, now)
            if await self.contracts.execute(tenant, contract_id,
                                            _expiring(row["ended_at"], now), ctx):
                done += 1
        if done:
            log.info("retention: the content of %d ended contracts was erased", done)
        return done

    async def keep(self, interval_s: float) -> None:
        """A round now, then one every ``interval_s``; a failed round is tried at the next."""
        while True:
            try:
                while await self.round():  # a backlog goes in rounds of a hundred
                    pass
            except (OSError, asyncpg.PostgresError, StoreUnavailable) as err:
                log.warning("retention round failed (%s); trying again in %.0fs",
                            type(err).__name__, interval_s)
            await asyncio.sleep(interval_s)
