"""A coach runs a pseudonymous cohort of three coachees through the HTTP API on the real
stack (identity's tokens, engagement's contracts, nats-server, PostgreSQL): posts, comments,
likes, a tag, a share, a pin that joins the author's record on the coach's dashboard, a
rehearsal taken to the space, a report and a hide. Every answer a peer gets is kept and
searched for the real names and user ids of the other members."""

from __future__ import annotations

from typing import Any

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.testing.eventually import eventually

from ..engagement.journey import expect
from .cohort import Cohort, cohort


class Peers:
    """Calls made as members of the cohort; every answer is kept for the leak scan."""

    def __init__(self, community: RunningCommunity, group: Cohort) -> None:
        self.api, self.group = community.client, group
        self.seen: list[tuple[str, str]] = []  # (real name of the reader, response text)

    async def call(self, name: str, method: str, path: str, status: int,
                   **kwargs: Any) -> dict[str, Any]:
        person = self.group.members[name]
        response = await self.api.request(method, self.group.path + path,
                                          headers=person.headers, **kwargs)
        self.seen.append((name, response.text))
        return await expect(response, status)

    def leaks(self) -> list[str]:
        found = []
        for reader, text in self.seen:
            for name, person in self.group.members.items():
                if name == reader:
                    continue
                for secret in (person.user_id, *name.split()):
                    if secret in text:
                        found.append(f"{reader} saw {secret!r} of {name}")
        return found


async def test_a_coach_runs_a_pseudonymous_cohort(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity) -> None:
    group = await cohort(identity, engagement, community,
                         pseudonyms={"Amira Haddad": "Quiet Heron"})
    peers, coach, api = Peers(community, group), group.coach, community.client
    assert group.pseudonyms["Amira Haddad"] == "Quiet Heron"
    assert len(set(group.pseudonyms.values())) == 3  # the others got distinct suggestions

    # posts, a comment with a reply, a like
    amira = await peers.call("Amira Haddad", "POST", "/posts", 201, json={
        "kind": "small_win", "body": "I said no to the offsite planning and offered Friday."})
    ben = await peers.call("Ben Okafor", "POST", "/posts", 201, json={
        "kind": "question", "body": "How do you say no to your own manager?"})
    comment = await peers.call("Chloe Martin", "POST", f"/posts/{amira['id']}/comments", 201,
                               json={"body": "Offering Friday is a great move."})
    await peers.call("Amira Haddad", "POST", f"/posts/{amira['id']}/comments", 201, json={
        "body": "Thanks, it felt scary.", "parent_id": comment["id"]})
    await peers.call("Ben Okafor", "PUT", f"/posts/{amira['id']}/reactions/like", 200)

    # a tag by pseudonym, a share, the coach's pin with a note
    await peers.call("Amira Haddad", "POST", f"/posts/{amira['id']}/tags", 200,
                     json={"pseudonym": group.pseudonyms["Chloe Martin"]})
    await peers.call("Chloe Martin", "POST", f"/posts/{ben['id']}/shares", 200)
    pinned = await expect(await api.put(f"{group.path}/posts/{amira['id']}/pin",
                                        headers=coach.headers,
                                        json={"note": "Saying no with an offer."}), 200)

    feed = await peers.call("Ben Okafor", "GET", "/feed", 200,
                            params={"after": pinned["position"]})
    assert [p["post_id"] for p in feed["pinned"]] == [amira["id"]]
    top = feed["pinned"][0]
    assert top["author"]["name"] == "Quiet Heron" and top["pinned"]["note"] == \
        "Saying no with an offer."
    assert top["reactions"] == {"like": 1} and top["my_reactions"] == ["like"]
    assert top["comments"] == 2
    assert [t["name"] for t in top["tagged"]] == [group.pseudonyms["Chloe Martin"]]
    assert feed["items"][0]["post_id"] == ben["id"]  # shared: it rose to the top
    assert [s["name"] for s in feed["items"][0]["shared_by"]] == \
        [group.pseudonyms["Chloe Martin"]]
    assert feed["unread"] == 1  # Amira's post: his own does not count

    thread = await peers.call("Chloe Martin", "GET", f"/posts/{amira['id']}", 200)
    [first] = thread["comment_thread"]
    assert first["author"] == {"handle": group.handles["Chloe Martin"], "role": "member",
                               "you": True, "name": group.pseudonyms["Chloe Martin"]}
    assert [r["body"] for r in first["replies"]] == ["Thanks, it felt scary."]
    # what the members are told of it is notify's (tests/journeys/notify/test_pseudonymous.py)

    # the pin reaches Amira's record on her coach's dashboard
    async def pinned_on_dashboard() -> bool:
        board = (await engagement.client.get("/v1/dashboard", headers=coach.headers)).json()
        row = next(r for r in board["coachees"] if r["coachee_name"] == "Amira Haddad")
        return row["insights_pinned"] == 1 and [i["note"] for i in row["recent_insights"]] \
            == ["Saying no with an offer."]
    await eventually(pinned_on_dashboard, timeout=10, what="the pin on the dashboard")

    # a rehearsal: drafted, feedback, revised, published to the space
    draft = await peers.call("Ben Okafor", "POST", "/rehearsals", 201, json={
        "kind": "experiment", "body": "No, I can't take this on, but I can help next week."})
    await expect(await api.post(f"{group.path}/rehearsals/{draft['id']}/feedback",
                                headers=coach.headers,
                                json={"body": "Drop the 'but': it undoes the no."}), 200)
    await peers.call("Chloe Martin", "GET", f"/rehearsals/{draft['id']}", 404)  # not hers
    revised = await peers.call("Ben Okafor", "PATCH", f"/rehearsals/{draft['id']}", 200,
                               json={"body": "No, I can't take this on. I can help next week."})
    seen = await peers.call("Ben Okafor", "GET", f"/rehearsals/{draft['id']}", 200,
                            params={"after": revised["position"]})
    assert [f["body"] for f in seen["feedback"]] == ["Drop the 'but': it undoes the no."]
    published = await peers.call("Ben Okafor", "POST", f"/rehearsals/{draft['id']}/publish",
                                 200)
    feed = await peers.call("Amira Haddad", "GET", "/feed", 200,
                            params={"after": published["position"]})
    assert feed["items"][0]["body"] == "No, I can't take this on. I can help next week."
    assert feed["items"][0]["rehearsed"] is True

    # a report, then the coach hides the post: gone for peers, flagged for its author
    await peers.call("Chloe Martin", "POST", f"/posts/{ben['id']}/reports", 200,
                     json={"reason": "It names a colleague."})
    hidden = await expect(await api.post(f"{group.path}/posts/{ben['id']}/hide",
                                         headers=coach.headers), 200)
    feed = await peers.call("Amira Haddad", "GET", "/feed", 200,
                            params={"after": hidden["position"]})
    assert ben["id"] not in {p["post_id"] for p in feed["items"]}
    own = await peers.call("Ben Okafor", "GET", f"/posts/{ben['id']}", 200)
    assert own["hidden"] == {"by": "coach"}
    queue = await expect(await api.get(f"{group.path}/reports", headers=coach.headers,
                                       params={"after": hidden["position"]}), 200)
    assert [(q["post_id"], q["hidden"]) for q in queue["posts"]] == [(ben["id"], True)]
    assert queue["posts"][0]["reports"][0]["reason"] == "It names a colleague."

    assert peers.leaks() == []


async def test_three_reports_hide_a_post_until_the_coach_restores_it(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity) -> None:
    group = await cohort(identity, engagement, community)
    api, coach = community.client, group.coach
    extra: Person = await identity.member(group.admin, "coachee", name="Dana Reyes")
    from .cohort import contract, join
    group.members["Dana Reyes"] = extra
    await contract(identity, engagement, community, coach, extra)
    await expect(await api.post(f"{group.path}/invitations", headers=coach.headers,
                                json={"user_id": extra.user_id}), 200)
    await join(community, group, "Dana Reyes")
    post = await expect(await api.post(f"{group.path}/posts", headers=extra.headers,
                                       json={"body": "Something others find hurtful."}), 201)
    position = 0
    for name in ("Amira Haddad", "Ben Okafor", "Chloe Martin"):
        reported = await expect(await api.post(
            f"{group.path}/posts/{post['id']}/reports", headers=group.members[name].headers,
            json={"reason": "unkind"}), 200)
        position = reported["position"]
    reader = group.members["Amira Haddad"].headers
    feed = await expect(await api.get(f"{group.path}/feed", headers=reader,
                                      params={"after": position}), 200)
    assert post["id"] not in {p["post_id"] for p in feed["items"]}
    restored = await expect(await api.post(f"{group.path}/posts/{post['id']}/restore",
                                           headers=coach.headers), 200)
    feed = await expect(await api.get(f"{group.path}/feed", headers=reader,
                                      params={"after": restored["position"]}), 200)
    assert post["id"] in {p["post_id"] for p in feed["items"]}
