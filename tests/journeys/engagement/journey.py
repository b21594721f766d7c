"""A coach, a coachee and a sponsor of one organisation with an active contract: the starting
point most engagement tests share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interlude.engagement.testing import RunningEngagement, terms
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.events.envelope import Envelope
from interlude.shared.eventstore.base import decode_commit
from interlude.shared.testing.eventually import eventually


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


async def access_events(engagement: RunningEngagement, tenant_id: str) -> list[Envelope]:
    """Every access event engagement recorded for the organisation (the test's own stream)."""
    js, stream = engagement.platform.js, engagement.platform.stream("access")
    last = (await js.stream_info(stream.name)).state.last_seq
    prefix = f"{stream.prefix}.{tenant_id}.engagement."
    found: list[Envelope] = []
    for seq in range(1, last + 1):
        message = await js.get_msg(stream.name, seq)
        if message.subject.startswith(prefix):
            found.extend(decode_commit(message.data))
    return found


async def set_policy(identity: RunningIdentity, engagement: RunningEngagement, admin: Person,
                     changes: dict[str, Any]) -> None:
    """Change the organisation's policy through identity; wait until engagement enforces it."""
    response = await identity.client.patch(
        f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers,
        json={"changes": changes, "reason": "a test"})
    version = (await expect(response, 200))["version"]
    trust = engagement.app.state.trust
    await eventually(lambda: trust.cache.policy_version(admin.tenant_id) == version, timeout=5)
