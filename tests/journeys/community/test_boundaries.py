"""Every route of community, walked: members of another space and people of another
organisation get 404 and none of the content; with ``community.enabled`` off every route
answers 403 naming the block; bad input on every route is a 4xx problem, never a 500."""

from __future__ import annotations

from typing import Any

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.shared.testing.routes import Call, calls

from ..engagement.journey import expect
from .cohort import Cohort, cohort, contract, create_space

SECRET = "I froze when my manager asked again"
BODIES = {  # a body that passes validation for each route that takes one, by its last part
    "/spaces": {"name": "A space"}, "/invitations": {"user_id": "someone"}, "/join": {},
    "/reveal": {"reason": "a reason"}, "/slow-mode": {"seconds": 30}, "/posts": {"body": "b"},
    "/{post_id}": {"body": "b"}, "/comments": {"body": "b"}, "/tags": {"pseudonym": "Kind Orca"},
    "/pin": {}, "/reports": {"reason": "r"}, "/rehearsals": {"body": "b"},
    "/{rehearsal_id}": {"body": "b"}, "/feedback": {"body": "b"},
    "/step-out": {"understood": True}, "/step-back": {"understood": True},
    "/join-requests": {}, "/materials": {"title": "A reading"}}
OWN = {("POST", "/v1/community/spaces"), ("GET", "/v1/community/spaces"),  # the caller's own
       ("GET", "/v1/community/circles")}


def body(call: Call) -> dict[str, Any] | None:
    if not call.takes_body:
        return None
    return next(b for suffix, b in BODIES.items() if call.template.endswith(suffix))


async def _content(community: RunningCommunity, group: Cohort) -> dict[str, str]:
    """A post with a comment, a rehearsal: something behind every route."""
    api, amira = community.client, group.members["Amira Haddad"]
    post = await expect(await api.post(f"{group.path}/posts", headers=amira.headers,
                                       json={"body": SECRET}), 201)
    comment = await expect(await api.post(f"{group.path}/posts/{post['id']}/comments",
                                          headers=amira.headers, json={"body": SECRET}), 201)
    rehearsal = await expect(await api.post(f"{group.path}/rehearsals", headers=amira.headers,
                                            json={"body": SECRET}), 201)
    material = await expect(await api.post(f"{group.path}/materials",
                                           headers=group.coach.headers,
                                           json={"title": SECRET}), 201)
    return {"space_id": group.space_id, "post_id": post["id"], "comment_id": comment["id"],
            "rehearsal_id": rehearsal["id"], "material_id": material["id"],
            "handle": group.handles["Amira Haddad"], "reaction": "like", "*": "unused"}


async def test_outsiders_get_404_on_every_route_of_a_space(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity) -> None:
    group = await cohort(identity, engagement, community)
    ids = await _content(community, group)
    # a coachee of the same coach in another space, a coach of another space, the org_admin,
    # and a coach of another organisation
    other_coach = await identity.member(group.admin, "coach", name="Marcus Mentor")
    neighbour = await identity.member(group.admin, "coachee", name="Nina Next")
    await contract(identity, engagement, community, group.coach, neighbour)
    elsewhere = await create_space(community, group.coach, name="Another challenge")
    await expect(await community.client.post(
        f"/v1/community/spaces/{elsewhere}/invitations", headers=group.coach.headers,
        json={"user_id": neighbour.user_id}), 200)
    await expect(await community.client.post(f"/v1/community/spaces/{elsewhere}/join",
                                             headers=neighbour.headers, json={}), 200)
    other_admin = await identity.organisation("Elsewhere")
    foreign_coach = await identity.member(other_admin, "coach", name="Fran Foreign")
    outsiders: dict[str, Person] = {"member of another space": neighbour,
                                    "coach of another space": other_coach,
                                    "org_admin": group.admin,
                                    "coach of another organisation": foreign_coach}
    walked = 0
    for call in calls(community.app):
        if (call.method, call.template) in OWN:
            continue
        for who, person in outsiders.items():
            response = await community.client.request(call.method, call.url(ids),
                                                      headers=person.headers, json=body(call))
            assert response.status_code == 404, (who, call, response.text)
            assert SECRET not in response.text
            walked += 1
    assert walked >= 4 * 25
    for person in outsiders.values():  # and their own lists show nothing of the space
        listed = await community.client.get("/v1/community/spaces", headers=person.headers)
        assert group.space_id not in listed.text


async def test_with_community_switched_off_every_route_names_the_block(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity) -> None:
    group = await cohort(identity, engagement, community)
    ids = await _content(community, group)
    response = await identity.client.patch(
        f"/v1/organisations/{group.admin.tenant_id}/policy", headers=group.admin.headers,
        json={"changes": {"community.enabled": False}, "reason": "a pause"})
    version = (await expect(response, 200))["version"]
    trust = community.app.state.trust
    await eventually(lambda: trust.cache.policy_version(group.admin.tenant_id) == version)
    for call in calls(community.app):
        for person in (group.coach, group.members["Ben Okafor"]):
            response = await community.client.request(call.method, call.url(ids),
                                                      headers=person.headers, json=body(call))
            assert response.status_code == 403, (call, response.text)
            problem = response.json()
            assert problem["type"] == "urn:interlude:problem:policy-blocked", call
            assert problem["block"] == "community.enabled" and problem["policy_version"] == \
                version
            assert SECRET not in response.text


BAD = ([], "text", {"body": 12}, {"body": "x" * 6000}, {"unknown": 1},
       {"name": None, "reason": ["x"], "seconds": -1, "pseudonym": 5, "user_id": "../x"})


async def test_bad_input_on_every_route_is_a_problem_never_a_500(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity) -> None:
    group = await cohort(identity, engagement, community)
    ids = await _content(community, group)
    odd = {**ids, "space_id": "x" * 65, "post_id": "no/such", "reaction": "hug"}
    for call in calls(community.app):
        for person in (group.coach, group.members["Chloe Martin"]):
            for bad in BAD if call.takes_body else ():
                response = await community.client.request(call.method, call.url(ids),
                                                          headers=person.headers, json=bad)
                assert 400 <= response.status_code < 500, (call, bad, response.text)
                assert response.headers["content-type"] == "application/problem+json"
            if call.params:
                response = await community.client.request(
                    call.method, call.url(odd), headers=person.headers, json=body(call))
                assert 400 <= response.status_code < 500, (call, response.text)
    huge = await community.client.post(f"{group.path}/posts", headers=group.coach.headers,
                                       content=b'{"body": "' + b"x" * 70_000 + b'"}')
    assert huge.status_code == 413
    feed = await community.client.get(f"{group.path}/feed", headers=group.coach.headers,
                                      params={"cursor": "not-a-cursor"})
    assert feed.status_code == 422 and "cursor" in feed.text


async def test_a_space_id_with_a_nul_is_a_422_problem(identity: RunningIdentity,
                                                      community: RunningCommunity) -> None:
    # found by tests/fuzz/test_probes.py: a coach's request was looked up for a circle of
    # another organisation with the id as sent, before the route validated it; PostgreSQL's
    # text cannot hold a NUL, and every route of a space answered 500
    coach = await identity.member(await identity.organisation(), "coach")
    for method, path in (("GET", "/v1/community/spaces/a%00b"),
                         ("GET", "/v1/community/spaces/a%00b/feed"),
                         ("POST", "/v1/community/spaces/a%00b/posts")):
        response = await community.client.request(method, path, headers=coach.headers,
                                                   json={"body": "b"} if method == "POST" else None)
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["location"] == "path.space_id"
