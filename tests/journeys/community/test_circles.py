"""Coaches' peer circles that find each other: a coach finds a circle by a client challenge,
asks to join with a note, a member of the circle (not only its host) admits, and the coach
joins and reads it. Coachees cannot search; a coach of another organisation finds nothing; a
cohort is never found nor joined by asking."""

from __future__ import annotations

from interlude.community.testing import RunningCommunity
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually

from ..engagement.journey import expect
from .cohort import create_space

CIRCLES = "/v1/community/circles"


async def test_a_coach_finds_a_circle_by_a_client_challenge_and_is_admitted(
        identity: RunningIdentity, community: RunningCommunity) -> None:
    admin = await identity.organisation("Northwind")
    host = await identity.member(admin, "coach", name="Claire Coach")
    member = await identity.member(admin, "coach", name="Marcus Mentor")
    seeker = await identity.member(admin, "coach", name="Sofia Seeker")
    coachee = await identity.member(admin, "coachee", name="Amira Haddad")
    api = community.client
    circle = await create_space(
        community, host, kind="peer_circle", name="Coaches' circle: endings",
        description="When a coaching relationship ends", pseudonymous=False,
        methodology="Solution-focused", challenges=["endings", "Burnout at work"],
        context="Leaders in public services", findable=True)
    await create_space(community, host, kind="peer_circle", name="A private circle",
                       pseudonymous=False, challenges=["burnout"])  # not findable
    await create_space(community, host, name="A cohort")  # never found
    path = f"/v1/community/spaces/{circle}"
    await expect(await api.post(f"{path}/invitations", headers=host.headers,
                                json={"user_id": member.user_id}), 200)
    joined = await expect(await api.post(f"{path}/join", headers=member.headers, json={}), 200)

    async def found(params: dict[str, str]) -> list[str]:
        answer = await expect(await api.get(CIRCLES, headers=seeker.headers, params=params), 200)
        return [c["space_id"] for c in answer["circles"]]

    async def listed() -> bool:
        return await found({"challenge": "burnout"}) == [circle]

    await eventually(listed, timeout=10)
    assert await found({"methodology": "solution"}) == [circle]
    assert await found({"q": "public services"}) == [circle]
    assert await found({"challenge": "grief"}) == []
    assert await found({"challenge": "%"}) == []  # a literal, not a wildcard
    shown = (await expect(await api.get(CIRCLES, headers=seeker.headers,
                                        params={"challenge": "endings"}), 200))["circles"][0]
    assert shown["challenges"] == ["endings", "Burnout at work"] and shown["members"] == 2
    assert shown["you"] is None and "Marcus" not in str(shown)  # never who is in it

    asked = await expect(await api.post(f"{path}/join-requests", headers=seeker.headers,
                                        json={"note": "I lead a team of ten coaches."}), 200)
    assert asked["position"] > joined["position"]
    waiting = await expect(await api.get(f"{path}/join-requests", headers=member.headers,
                                         params={"after": asked["position"]}), 200)
    [request] = waiting["requests"]
    assert (request["name"], request["note"]) == ("Sofia Seeker",
                                                  "I lead a team of ten coaches.")
    # not a member yet: the circle's pages stay closed to the one asking
    closed = await api.get(f"{path}/feed", headers=seeker.headers)
    assert closed.status_code == 404
    assert (await found({"challenge": "endings"})) == [circle]
    assert (await expect(await api.get(CIRCLES, headers=seeker.headers), 200))[
        "circles"][0]["you"] == "asked"

    await expect(await api.post(f"{path}/join-requests/{request['handle']}/admit",
                                headers=member.headers), 200)
    await expect(await api.post(f"{path}/join", headers=seeker.headers, json={}), 200)
    feed = await api.get(f"{path}/feed", headers=seeker.headers)
    assert feed.status_code == 200
    space = await expect(await api.get(path, headers=host.headers), 200)
    assert "Sofia Seeker" in {m["name"] for m in space["members"]}

    # coachees do not search; a coach of another organisation finds nothing and asks nothing
    refused = await api.get(CIRCLES, headers=coachee.headers)
    assert refused.status_code == 403
    elsewhere = await identity.organisation("Elsewhere")
    stranger = await identity.member(elsewhere, "coach", name="Fran Foreign")
    assert (await expect(await api.get(CIRCLES, headers=stranger.headers,
                                       params={"challenge": "endings"}), 200))["circles"] == []
    foreign = await api.post(f"{path}/join-requests", headers=stranger.headers, json={})
    assert foreign.status_code == 404


async def test_a_request_declined_leaves_the_coach_outside(
        identity: RunningIdentity, community: RunningCommunity) -> None:
    admin = await identity.organisation("Northwind")
    host = await identity.member(admin, "coach", name="Claire Coach")
    seeker = await identity.member(admin, "coach", name="Sofia Seeker")
    api = community.client
    circle = await create_space(community, host, kind="peer_circle", name="Supervision",
                                pseudonymous=True, challenges=["ethics"], findable=True)
    path = f"/v1/community/spaces/{circle}"
    asked = await expect(await api.post(f"{path}/join-requests", headers=seeker.headers,
                                        json={}), 200)
    waiting = await expect(await api.get(f"{path}/join-requests", headers=host.headers,
                                         params={"after": asked["position"]}), 200)
    [request] = waiting["requests"]
    assert request["name"] == "a coach of your organisation"  # a pseudonymous circle
    assert "Sofia" not in str(waiting)
    declined = await expect(await api.post(
        f"{path}/join-requests/{request['handle']}/decline", headers=host.headers), 200)
    after = await expect(await api.get(f"{path}/join-requests", headers=host.headers,
                                       params={"after": declined["position"]}), 200)
    assert after["requests"] == []
    joined = await api.post(f"{path}/join", headers=seeker.headers, json={})
    assert joined.status_code == 404
    # a cohort or a circle that is not findable cannot be asked into
    cohort = await create_space(community, host, name="A cohort")
    for space in (cohort, await create_space(community, host, kind="peer_circle",
                                             name="Closed", pseudonymous=False)):
        response = await api.post(f"/v1/community/spaces/{space}/join-requests",
                                  headers=seeker.headers, json={})
        assert response.status_code == 404
    bad = await api.post("/v1/community/spaces", headers=host.headers, json={
        "name": "A cohort", "kind": "cohort", "findable": True})
    assert bad.status_code == 422


async def test_findable_given_as_a_number_is_refused_not_read_as_false(
        identity: RunningIdentity, community: RunningCommunity) -> None:
    # found by the fuzzer: {"findable": 0} made a circle nobody could find, and "true" one
    # that everybody could
    admin = await identity.organisation("Northwind")
    host = await identity.member(admin, "coach", name="Claire Coach")
    for value in (0, 1, "true"):
        response = await community.client.post(
            "/v1/community/spaces", headers=host.headers,
            json={"kind": "peer_circle", "name": "Endings", "findable": value})
        assert response.status_code == 422, (value, response.text)
        problem = response.json()
        assert problem["type"] == "urn:interlude:problem:validation"
        assert [e["location"] for e in problem["errors"]] == ["body.findable"]
    mine = await expect(await community.client.get("/v1/community/spaces",
                                                   headers=host.headers), 200)
    assert mine["spaces"] == []
