"""What engagement's command and query handlers work with, wired once in ``wiring.py``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from interlude.engagement.domain.checkin import CheckIn
from interlude.engagement.domain.contract import Contract, Pairing
from interlude.engagement.domain.errors import NotFound
from interlude.engagement.domain.goal import Experiment, Goal
from interlude.engagement.domain.material import Material
from interlude.engagement.domain.thread import Thread
from interlude.shared.eventstore.repository import Repository
from interlude.shared.kit import ServiceApp, Written

__all__ = ["Engagement", "Written"]


@dataclass(kw_only=True)
class Engagement(ServiceApp):
    contracts: Repository[Contract]
    pairings: Repository[Pairing]
    checkins: Repository[CheckIn]
    threads: Repository[Thread]
    goals: Repository[Goal]
    experiments: Repository[Experiment]
    materials: Repository[Material]
    # waits (bounded) until the people read model has seen identity's stream as it stands
    # now; False when it has not (None: nothing to wait with, as in the seed)
    people_caught_up: Callable[[], Awaitable[bool]] | None = None
    public_url: str = ""  # where calendar apps fetch the private feeds from

    async def contract(self, tenant_id: str, contract_id: str) -> Contract:
        state = (await self.contracts.load(tenant_id, contract_id)).state
        if not state.exists:
            raise NotFound("there is no such contract")
        return state
