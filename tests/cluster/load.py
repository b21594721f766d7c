"""Check-ins posted by coachees, each with an Idempotency-Key and sent again with the same
key until it is acknowledged (201), as a careful client does while the event store is
unavailable (503): the load of the cluster fault test and of ``bench/cluster.py``."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

from interlude.engagement.testing import RunningEngagement, terms
from interlude.identity.testing import Person, RunningIdentity

RETRY_AFTER_S = 0.1
GIVE_UP_S = 60.0


@dataclass
class Pair:
    coach: Person
    coachee: Person
    contract_id: str


async def expect(response: httpx.Response, status: int) -> dict[str, Any]:
    if response.status_code != status:
        raise AssertionError(f"{response.request.method} {response.request.url.path} answered "
                             f"{response.status_code}: {response.text}")
    body: dict[str, Any] = response.json()
    return body


async def cast(identity: RunningIdentity, engagement: RunningEngagement,
               contracts: int) -> list[Pair]:
    """One organisation, one coach, ``contracts`` coachees each with an active contract."""
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    pairs = []
    for i in range(contracts):
        coachee = await identity.member(admin, "coachee", name=f"Coachee {i}")
        body = {"coachee_id": coachee.user_id, "terms": terms()}
        deadline = time.monotonic() + 30
        while True:  # the coachee is known once engagement's worker has projected identity
            answer = await engagement.client.post("/v1/contracts", headers=coach.headers,
                                                  json=body)
            if answer.status_code != 422 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        contract_id = str((await expect(answer, 201))["id"])
        for party in (coach, coachee):
            await expect(await engagement.client.post(
                f"/v1/contracts/{contract_id}/signatures", headers=party.headers, json={}), 200)
        pairs.append(Pair(coach, coachee, contract_id))
    return pairs


@dataclass
class Acked:
    key: str
    checkin_id: str
    position: int
    sent: float  # time.monotonic() when the request that got the 201 was sent
    at: float  # time.monotonic() of the 201


@dataclass
class Load:
    """Lanes of check-ins, each sent until acknowledged; what was acknowledged, and when."""

    client: httpx.AsyncClient
    pairs: list[Pair]
    acked: dict[str, list[Acked]] = field(default_factory=lambda: defaultdict(list))
    unavailable: int = 0  # 503 answers, each followed by the same request again
    running: bool = True

    async def one(self, pair: Pair, n: int) -> Acked:
        key = uuid.uuid4().hex
        body = {"text": f"check-in {n}: a calmer week", "mood": 1 + n % 5}
        headers = {**pair.coachee.headers, "Idempotency-Key": key}
        deadline = time.monotonic() + GIVE_UP_S
        while True:
            sent = time.monotonic()
            answer = await self.client.post(f"/v1/contracts/{pair.contract_id}/check-ins",
                                            headers=headers, json=body)
            if answer.status_code != 503 or time.monotonic() > deadline:
                break
            self.unavailable += 1
            await asyncio.sleep(RETRY_AFTER_S)
        written = await expect(answer, 201)
        acked = Acked(key, str(written["id"]), int(written["position"]), sent,
                      time.monotonic())
        self.acked[pair.contract_id].append(acked)
        return acked

    async def lane(self, first: int, lanes: int) -> None:
        n = first
        while self.running:  # a request once started is sent until acknowledged
            await self.one(self.pairs[n % len(self.pairs)], n)
            n += lanes

    async def run(self, lanes: int) -> None:
        await asyncio.gather(*(self.lane(i, lanes) for i in range(lanes)))

    def all(self) -> list[Acked]:
        return sorted((a for acks in self.acked.values() for a in acks), key=lambda a: a.at)

    def resumed_after(self, moment: float) -> float | None:
        """Seconds from ``moment`` (a fault) until a check-in sent after it was acknowledged:
        answers to requests sent before it may still arrive after it, without proving that
        writes work again. None while there is none."""
        after = [a.at for a in self.all() if a.sent > moment]
        return min(after) - moment if after else None
