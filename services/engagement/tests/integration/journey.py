"""A coach, a coachee and a sponsor of one organisation with an active contract: the starting
point most engagement tests share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interlude.engagement.testing import RunningEngagement, terms
from interlude.identity.testing import Person, RunningIdentity


@dataclass
class Cast:
    admin: Person
    coach: Person
    coachee: Person
    sponsor: Person
    contract_id: str
    position: int


async def expect(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


async def propose(engagement: RunningEngagement, coach: Person, coachee: Person,
                  sponsor: Person | None = None, **term_overrides: Any) -> str:
    body: dict[str, Any] = {"coachee_id": coachee.user_id, "terms": terms(**term_overrides)}
    if sponsor is not None:
        body["sponsor_id"] = sponsor.user_id
    written = await expect(await engagement.client.post("/v1/contracts", headers=coach.headers,
                                                        json=body), 201)
    return str(written["id"])


async def sign_all(engagement: RunningEngagement, contract_id: str, *people: Person) -> int:
    position = 0
    for person in people:
        written = await expect(await engagement.client.post(
            f"/v1/contracts/{contract_id}/signatures", headers=person.headers, json={}), 200)
        position = written["position"]
    return position


async def active_contract(identity: RunningIdentity, engagement: RunningEngagement,
                          **term_overrides: Any) -> Cast:
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    coachee = await identity.member(admin, "coachee", name="Amira Haddad")
    sponsor = await identity.member(admin, "sponsor", name="Sam Sponsor")
    contract_id = await propose(engagement, coach, coachee, sponsor, **term_overrides)
    position = await sign_all(engagement, contract_id, coach, coachee, sponsor)
    return Cast(admin, coach, coachee, sponsor, contract_id, position)
