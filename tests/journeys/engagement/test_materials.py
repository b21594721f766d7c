"""Materials: a coach shares a link with a note on why now; the coachee opens it and marks it
done with a reflection; the coach's dashboard counts shared, opened and done (never which).
A link is checked, stored and shown, never fetched. Only the contract's coach shares, only its
coachee opens; anyone else gets 404; with ``materials.enabled`` off every route answers 403
naming the block."""

from __future__ import annotations

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity

from .journey import active_contract, expect, set_policy


async def test_a_material_shared_opened_and_done_shows_on_the_dashboard(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    cast = await active_contract(identity, engagement)
    api, path = engagement.client, f"/v1/contracts/{cast.contract_id}/materials"
    shared = await expect(await api.post(path, headers=cast.coach.headers, json={
        "kind": "link", "title": "Saying no with grace", "url": "https://example.org/no",
        "note": "Before our next session, after what you said about Fridays."}), 201)
    listed = await expect(await api.get(path, headers=cast.coachee.headers,
                                        params={"after": shared["position"]}), 200)
    [material] = listed["materials"]
    assert (material["title"], material["url"], material["opened_at"]) == (
        "Saying no with grace", "https://example.org/no", None)
    assert material["note"].startswith("Before our next session")

    await expect(await api.post(f"{path}/{shared['id']}/opened", headers=cast.coachee.headers),
                 200)
    done = await expect(await api.post(f"{path}/{shared['id']}/done",
                                       headers=cast.coachee.headers,
                                       json={"reflection": "I tried it with my manager."}), 200)
    seen = await expect(await api.get(path, headers=cast.coach.headers,
                                      params={"after": done["position"]}), 200)
    assert seen["materials"][0]["reflection"] == "I tried it with my manager."
    assert seen["materials"][0]["done_at"] is not None
    board = await expect(await api.get("/v1/dashboard", headers=cast.coach.headers,
                                       params={"after": done["position"]}), 200)
    [row] = board["coachees"]
    assert row["materials"] == {"shared": 1, "opened": 1, "done": 1}
    assert "Saying no" not in str(board)  # counts, never which

    # only the coach shares, only the coachee opens; the sponsor and strangers see nothing
    refused = await api.post(path, headers=cast.coachee.headers,
                             json={"title": "mine", "kind": "reading"})
    assert refused.status_code == 403
    coach_opens = await api.post(f"{path}/{shared['id']}/opened", headers=cast.coach.headers)
    assert coach_opens.status_code == 403
    for outsider in (cast.sponsor, await identity.member(cast.admin, "coach")):
        assert (await api.get(path, headers=outsider.headers)).status_code == 404


async def test_links_are_checked_and_the_block_is_named(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    cast = await active_contract(identity, engagement)
    api, path = engagement.client, f"/v1/contracts/{cast.contract_id}/materials"
    for bad in ({"kind": "link", "title": "no address"},
                {"kind": "link", "title": "x", "url": "javascript:alert(1)"},
                {"kind": "reading", "title": "x", "url": "file:///etc/passwd"},
                {"kind": "poem", "title": "x"}, {"title": ""}, {"title": "x", "extra": 1}):
        response = await api.post(path, headers=cast.coach.headers, json=bad)
        assert response.status_code == 422, (bad, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    missing = await api.post(f"{path}/nosuchmaterial/opened", headers=cast.coachee.headers)
    assert missing.status_code == 404

    await set_policy(identity, engagement, cast.admin, {"materials.enabled": False})
    for method, url in (("GET", path), ("POST", path), ("POST", f"{path}/m1/opened")):
        response = await api.request(method, url, headers=cast.coach.headers,
                                     json={"title": "t"} if method == "POST" else None)
        assert response.status_code == 403, (url, response.text)
        assert response.json()["block"] == "materials.enabled"
