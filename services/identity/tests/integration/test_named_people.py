"""A coach names the people they work with: the organisation's active coachees (to propose a
contract to), its sponsors (named in one) and coaches (for a peer circle), by name and nothing
more."""

from __future__ import annotations

from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.testing.eventually import eventually


async def named(identity: RunningIdentity, person: Person, role: str,
                after: int = 0) -> list[dict]:
    response = await identity.client.get(
        f"/v1/organisations/{person.tenant_id}/people", headers=person.headers,
        params={"role": role, "after": after})
    assert response.status_code == 200, response.text
    return response.json()["people"]


async def test_a_coach_sees_the_active_coachees_by_name_only(identity: RunningIdentity) -> None:
    admin = await identity.organisation("Northwind")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    amira = await identity.member(admin, "coachee", name="Amira Haddad")
    leaving = await identity.member(admin, "coachee", name="Lee Leaving")
    sam = await identity.member(admin, "sponsor", name="Sam Sponsor")
    await identity.invite(admin, "coachee", name="Ivo Invited")  # not accepted yet
    other = await identity.organisation("Elsewhere")
    await identity.member(other, "coachee", name="Olga Other")
    gone = await identity.client.post(
        f"/v1/organisations/{admin.tenant_id}/users/{leaving.user_id}/deactivate",
        headers=admin.headers, json={"reason": "left the company"})
    assert gone.status_code == 200, gone.text

    coachees = await named(identity, coach, "coachee", gone.json()["position"])

    assert coachees == [{"id": amira.user_id, "name": "Amira Haddad"}]
    coaches = await named(identity, coach, "coach")
    assert coaches == [{"id": coach.user_id, "name": "Claire Coach"}]
    assert await named(identity, coach, "sponsor") == [{"id": sam.user_id, "name": "Sam Sponsor"}]


async def test_only_coaches_may_ask_for_coachees_and_sponsors_and_coachees_for_coaches(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    coach = await identity.member(admin, "coach")
    coachee = await identity.member(admin, "coachee")
    path = f"/v1/organisations/{admin.tenant_id}/people"

    for person, role in ((coachee, "coachee"), (coachee, "sponsor"), (admin, "coachee"),
                         (admin, "coach")):
        refused = await identity.client.get(path, headers=person.headers,
                                            params={"role": role})
        assert refused.status_code == 403, refused.text
    # a coachee may read the coaches' names (their own coach's, beside their contract)
    async def coach_named() -> bool:
        listed = await named(identity, coachee, "coach")
        return [p["id"] for p in listed] == [coach.user_id]

    await eventually(coach_named, what="the coach named to a coachee")
    wrong = await identity.client.get(path, headers=coach.headers, params={"role": "org_admin"})
    assert wrong.status_code == 422, wrong.text
    assert wrong.headers["content-type"] == "application/problem+json"


async def test_a_new_coachee_appears_once_they_accept(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    coach = await identity.member(admin, "coach")
    newcomer = await identity.member(admin, "coachee", name="Nina New")

    async def listed() -> bool:
        return {"id": newcomer.user_id, "name": "Nina New"} in await named(
            identity, coach, "coachee")

    await eventually(listed, what="the new coachee listed")
