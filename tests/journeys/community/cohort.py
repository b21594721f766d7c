"""A coach with a pseudonymous cohort of three coachees (each with an active contract that
agrees community participation), joined under pseudonyms: where most community tests start."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from interlude.community.projections.contracts import NAME as CONTRACTS
from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.testing.eventually import eventually

from ..engagement.journey import expect, propose, sign_all

COACHEES = ("Amira Haddad", "Ben Okafor", "Chloe Martin")
ALL_CONSENTS = {"pin_insights": True, "peer_tagging": True, "share_posts": True}


@dataclass
class Cohort:
    admin: Person
    coach: Person
    members: dict[str, Person]  # by real name
    space_id: str
    pseudonyms: dict[str, str] = field(default_factory=dict)  # real name -> pseudonym
    handles: dict[str, str] = field(default_factory=dict)  # real name -> handle
    contracts: dict[str, str] = field(default_factory=dict)  # real name -> contract id

    @property
    def path(self) -> str:
        return f"/v1/community/spaces/{self.space_id}"


async def contract(identity: RunningIdentity, engagement: RunningEngagement,
                   community: RunningCommunity, coach: Person, coachee: Person,
                   consents: dict[str, bool] | None = None) -> str:
    """An active contract agreeing community participation, seen by community."""
    contract_id = await propose(engagement, coach, coachee, channels={
        "checkins": True, "messaging": True, "community": True},
        consents=consents if consents is not None else ALL_CONSENTS)
    position = await sign_all(engagement, contract_id, coach, coachee)
    waiter, stream = community.app.state.waiter, engagement.platform.stream("engagement").name
    assert await waiter.wait(CONTRACTS, stream, position, timeout=10)
    return contract_id


async def create_space(community: RunningCommunity, coach: Person, **body: Any) -> str:
    payload = {"name": "Saying no without burning bridges",
               "description": "Declining work that is not ours, kindly and clearly",
               "pseudonymous": True} | body
    written = await expect(await community.client.post(
        "/v1/community/spaces", headers=coach.headers, json=payload), 201)
    return str(written["id"])


async def join(community: RunningCommunity, cohort: Cohort, name: str,
               pseudonym: str | None = None) -> dict[str, Any]:
    person = cohort.members[name]
    body = {"pseudonym": pseudonym} if pseudonym else {}
    written = await expect(await community.client.post(
        f"{cohort.path}/join", headers=person.headers, json=body), 200)
    space = await expect(await community.client.get(
        cohort.path, headers=person.headers, params={"after": written["position"]}), 200)
    cohort.pseudonyms[name] = space["you"]["name"]
    cohort.handles[name] = space["you"]["handle"]
    return space


async def cohort(identity: RunningIdentity, engagement: RunningEngagement,
                 community: RunningCommunity, *, consents: dict[str, dict[str, bool]] | None = None,
                 pseudonyms: dict[str, str] | None = None) -> Cohort:
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    members = {name: await identity.member(admin, "coachee", name=name) for name in COACHEES}
    space_id = await create_space(community, coach)
    group = Cohort(admin, coach, members, space_id)
    for name, person in members.items():
        group.contracts[name] = await contract(identity, engagement, community, coach, person,
                                               (consents or {}).get(name))
        await expect(await community.client.post(
            f"{group.path}/invitations", headers=coach.headers,
            json={"user_id": person.user_id}), 200)
        await join(community, group, name, (pseudonyms or {}).get(name))
    return group


async def switched(identity: RunningIdentity, community: RunningCommunity, admin: Person,
                   changes: dict[str, object]) -> int:
    """The organisation's policy changed through identity, once community enforces it."""
    response = await identity.client.patch(
        f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers,
        json={"changes": changes, "reason": "a test"})
    version = int((await expect(response, 200))["version"])
    trust = community.app.state.trust
    await eventually(lambda: trust.cache.policy_version(admin.tenant_id) == version)
    return version
