"""Peer circles across organisations (ADR 0015): where both organisations allow
``community.circles_across_organisations``, a coach of one finds a pseudonymous circle of the
other by a client challenge, asks, is admitted and takes part, by pseudonym only; nobody of the
other organisation learns their name, and they learn nobody's (the host is "the circle's
host"). A coach of an organisation that does not allow it finds nothing and gets 404 on every
route of the circle; once the guest's organisation switches it off, the guest is refused with
a 403 naming the key, recorded in their organisation's trail. Everything else stays within
each organisation."""

from __future__ import annotations

from interlude.community.app import subject_access
from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.eventstore.base import decode_commit
from interlude.shared.testing.eventually import eventually
from interlude.shared.testing.routes import calls

from ..engagement.journey import expect
from .cohort import create_space, switched
from .test_boundaries import BODIES
from .test_materials import denials

CIRCLES = "/v1/community/circles"
KEY = "community.circles_across_organisations"
NAMES = ("Claire Coach", "Marcus Mentor", "Sofia Seeker", "Northwind", "Southwind")


def nameless(answer: object) -> None:
    """No real name of anyone of either organisation in what a person got."""
    shown = str(answer)
    for name in NAMES:
        assert name not in shown, (name, shown[:400])


async def test_a_coach_of_another_organisation_finds_joins_and_takes_part_by_pseudonym(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity) -> None:
    api = community.client
    north, south = (await identity.organisation("Northwind"),
                    await identity.organisation("Southwind"))
    east = await identity.organisation("Eastwind")  # does not allow it
    host = await identity.member(north, "coach", name="Claire Coach")
    peer = await identity.member(north, "coach", name="Marcus Mentor")
    guest = await identity.member(south, "coach", name="Sofia Seeker")
    stranger = await identity.member(east, "coach", name="Fran Foreign")
    circle = await create_space(
        community, host, kind="peer_circle", name="Endings", pseudonymous=True,
        description="When a coaching relationship ends", methodology="Solution-focused",
        challenges=["endings"], findable=True)
    named = await create_space(community, host, kind="peer_circle", name="Named endings",
                               pseudonymous=False, challenges=["endings"], findable=True)
    path = f"/v1/community/spaces/{circle}"
    await expect(await api.post(f"{path}/invitations", headers=host.headers,
                                json={"user_id": peer.user_id}), 200)
    await expect(await api.post(f"{path}/join", headers=peer.headers,
                                json={"pseudonym": "Steady Lark"}), 200)

    async def found(who: Person) -> list[dict[str, object]]:
        answer = await expect(await api.get(CIRCLES, headers=who.headers,
                                            params={"challenge": "endings"}), 200)
        return list(answer["circles"])

    assert await found(guest) == []  # by default circles stay within the organisation
    assert (await api.get(path, headers=guest.headers)).status_code == 404
    for admin in (north, south):
        await switched(identity, community, admin, {KEY: True})

    async def listed() -> bool:
        return [c["space_id"] for c in await found(guest)] == [circle]

    await eventually(listed, what="the circle found from the other organisation")
    [shown] = await found(guest)
    assert shown["elsewhere"] is True and shown["you"] is None and named not in str(shown)
    assert await found(stranger) == []  # Eastwind does not allow it
    assert [c["elsewhere"] for c in await found(host)] == [False, False]

    asked = await expect(await api.post(f"{path}/join-requests", headers=guest.headers,
                                        json={"note": "I coach leaders leaving a role."}), 200)
    waiting = await expect(await api.get(f"{path}/join-requests", headers=peer.headers,
                                         params={"after": asked["position"]}), 200)
    [request] = waiting["requests"]
    assert request["name"] == "a coach of another organisation"
    nameless(waiting)
    await expect(await api.post(f"{path}/join-requests/{request['handle']}/admit",
                                headers=peer.headers), 200)
    await expect(await api.post(f"{path}/join", headers=guest.headers,
                                json={"pseudonym": "Far Heron"}), 200)
    posted = await expect(await api.post(f"{path}/posts", headers=guest.headers, json={
        "body": "How do you close a long engagement well?"}), 201)
    commented = await expect(await api.post(
        f"{path}/posts/{posted['id']}/comments", headers=host.headers,
        json={"body": "With a last session about what stays."}), 201)
    last = {"after": commented["position"]}

    # the guest sees everyone by pseudonym, the host as "the circle's host"
    mine = await expect(await api.get("/v1/community/spaces", headers=guest.headers,
                                      params=last), 200)
    assert circle in str(mine) and named not in str(mine)
    space = await expect(await api.get(path, headers=guest.headers, params=last), 200)
    assert space["elsewhere"] is True
    names = {m["name"] for m in space["members"]}
    assert names == {"the circle's host", "Steady Lark", "Far Heron"}
    post = await expect(await api.get(f"{path}/posts/{posted['id']}", headers=guest.headers,
                                      params=last), 200)
    assert post["comment_thread"][0]["author"]["name"] == "the circle's host"
    for answer in (space, post, await expect(await api.get(f"{path}/feed",
                                                           headers=guest.headers), 200)):
        nameless(answer)
    # a coach of Northwind asks too: to the guest, one of another organisation
    mira = await identity.member(north, "coach", name="Mira Moss")
    also = await expect(await api.post(f"{path}/join-requests", headers=mira.headers,
                                       json={}), 200)
    asking = await expect(await api.get(f"{path}/join-requests", headers=guest.headers,
                                        params={"after": also["position"]}), 200)
    assert [r["name"] for r in asking["requests"]] == ["a coach of another organisation"]
    stepping = await api.post(f"{path}/step-out", headers=guest.headers,
                              json={"understood": True})
    assert stepping.status_code == 409 and "not kept there" in stepping.text
    # the circle's people see the guest by pseudonym, never by name, even revealed
    reveal = await api.post(f"{path}/members/{space['you']['handle']}/reveal",
                            headers=host.headers, json={"reason": "a test"})
    assert reveal.status_code == 200
    for who in (host, peer):
        seen = await expect(await api.get(path, headers=who.headers,
                                          params={"after": posted["position"]}), 200)
        assert "Far Heron" in {m["name"] for m in seen["members"]}
        assert "Sofia" not in str(seen)

    # Eastwind's coach: 404 on every route of the circle, and nothing of it
    ids = {"space_id": circle, "post_id": posted["id"], "comment_id": "c", "handle": "h",
           "rehearsal_id": "r", "material_id": "m", "reaction": "like", "*": "unused"}
    for call in calls(community.app):
        if "{space_id}" not in call.template:
            continue
        body = next((b for s, b in BODIES.items() if call.template.endswith(s)), None) \
            if call.takes_body else None
        response = await api.request(call.method, call.url(ids), headers=stranger.headers,
                                     json=body)
        assert response.status_code == 404, (call, response.text)
        assert "close a long engagement" not in response.text

    # Southwind switches it off: its coach is refused, naming the key, in Southwind's trail
    await switched(identity, community, south, {KEY: False})
    refused = await api.get(f"{path}/feed", headers=guest.headers)
    assert refused.status_code == 403 and refused.json()["block"] == KEY
    assert [d.actor.id for d in await denials(community, south.tenant_id)
            if d.payload["reason"] == KEY] == [guest.user_id]
    assert await found(guest) == []
    still = await expect(await api.get(f"{path}/feed", headers=peer.headers), 200)
    assert "close a long engagement" in str(still)  # what was written there stays there

    # the guest's own export (Southwind's) holds what she wrote there, and no one else's
    exported = await subject_access.section(community.app.state.community, south.tenant_id,
                                            guest.user_id)
    elsewhere = exported["circles_elsewhere"]
    assert [(c["name"], c["pseudonym"]) for c in elsewhere["circles"]] == [
        ("Endings", "Far Heron")]
    assert [p["body"] for p in elsewhere["posts"]] == [
        "How do you close a long engagement well?"]
    assert elsewhere["comments"] == [] and "last session about what stays" not in str(exported)
    nameless(elsewhere)

    # the guest forgotten in Southwind: in Northwind's circle a former member, nothing kept
    officer = await identity.member(south, "compliance_officer", name="Carla Compliance")
    forgotten = await identity.client.post(
        f"/v1/organisations/{south.tenant_id}/erasures", headers=officer.headers,
        json={"subject_id": guest.user_id, "reason": "the person asked"})
    assert forgotten.status_code in (200, 201, 202), forgotten.text

    async def former() -> bool:
        feed = await expect(await api.get(f"{path}/feed", headers=peer.headers), 200)
        item = next(p for p in feed["items"] if p["post_id"] == posted["id"])
        return item["author"]["name"] == "former member" and item["body"] is None

    await eventually(former, timeout=10, what="the guest's post shown as a former member's")
    # and in Northwind's stream, what the guest wrote no longer opens: their key there is gone
    js, stream = community.platform.js, community.platform.stream("community")
    last = (await js.stream_info(stream.name)).state.last_seq
    [published] = [e for seq in range(1, last + 1)
                   for e in decode_commit((await js.get_msg(stream.name, seq)).data)
                   if e.type == "community.PostPublished" and e.aggregate_id == posted["id"]]
    assert published.tenant_id == north.tenant_id

    async def unreadable() -> bool:
        opened = await community.platform.sealer.open(
            published.payload["body"], tenant=published.tenant_id,
            event_id=published.event_id, field="body")
        return opened.is_erased

    await eventually(unreadable, timeout=10, what="the guest's key in Northwind shredded")
