"""Only the contract's coach and coachee read or touch its coaching content. A coach of another
contract, the sponsor, and a person of another organisation get 404 on every content route,
and nothing of the content in any answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from interlude.engagement.testing import RunningEngagement, terms
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.routes import Call, calls

from .journey import Cast, active_contract, expect

SECRET = "I am scared of the reorganisation"
CONTENT = ("/sessions", "/check-ins", "/messages", "/goals", "/experiments", "/materials")


def valid_body(call: Call) -> dict[str, Any] | None:
    """A body that passes validation, so that only who asks decides the answer."""
    soon = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    bodies = {
        "/amendments": {"terms": terms(programme="Other")},
        "/sessions": {"starts_at": soon}, "/sessions/{session_id}": {"starts_at": soon},
        "/check-ins": {"text": "hello"}, "/acknowledgements": {"kind": "like"},
        "/messages": {"body": "hello"}, "/messages/read": {"up_to": 1},
        "/goals": {"title": "a goal"}, "/progress": {"note": "a note"},
        "/closing": {"outcome": "dropped"},
        "/experiments": {"belief": "b", "behaviour": "b"},
        "/report": {"result": "r", "learning": "l"},
        "/materials": {"title": "a reading"}, "/done": {}}
    if call.method in ("GET", "DELETE", "PUT"):
        return None
    for suffix, body in bodies.items():
        if call.template.endswith(suffix):
            return body
    return {}


async def _content(engagement: RunningEngagement, cast: Cast) -> dict[str, str]:
    api, path, coachee = engagement.client, f"/v1/contracts/{cast.contract_id}", cast.coachee
    soon = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    ids = {"contract_id": cast.contract_id, "consent": "pin_insights", "*": "unused"}
    ids["checkin_id"] = (await expect(await api.post(f"{path}/check-ins", headers=coachee.headers,
                                                     json={"text": SECRET}), 201))["id"]
    ids["session_id"] = (await expect(await api.post(f"{path}/sessions", headers=coachee.headers,
                                                     json={"starts_at": soon}), 201))["id"]
    ids["goal_id"] = (await expect(await api.post(f"{path}/goals", headers=coachee.headers,
                                                  json={"title": SECRET}), 201))["id"]
    ids["experiment_id"] = (await expect(await api.post(
        f"{path}/experiments", headers=coachee.headers,
        json={"belief": SECRET, "behaviour": SECRET}), 201))["id"]
    await expect(await api.post(f"{path}/messages", headers=coachee.headers,
                                json={"body": SECRET}), 201)
    ids["material_id"] = (await expect(await api.post(
        f"{path}/materials", headers=cast.coach.headers, json={"title": SECRET}), 201))["id"]
    return ids


async def test_nobody_outside_the_contract_reaches_its_content(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    cast = await active_contract(identity, engagement)
    ids = await _content(engagement, cast)
    other_coach = await identity.member(cast.admin, "coach", "coachee", "sponsor")
    other_org = await identity.organisation("Elsewhere")
    stranger = await identity.member(other_org, "coach", "coachee", "sponsor")

    checked = 0
    for call in calls(engagement.app):
        if not call.template.startswith("/v1/contracts/{contract_id}"):
            continue
        content = any(part in call.template for part in CONTENT)
        outsiders = [other_coach, stranger] + ([cast.sponsor] if content else [])
        for who in outsiders:
            response = await engagement.client.request(
                call.method, call.url(ids), headers=who.headers, json=valid_body(call))
            assert response.status_code == 404, (call, who.roles, response.text)
            assert SECRET not in response.text
            checked += 1
    assert checked >= 50
    # and the parties still see it all
    seen = await expect(await engagement.client.get(
        f"/v1/contracts/{cast.contract_id}/check-ins", headers=cast.coach.headers), 200)
    assert seen["check_ins"][0]["text"] == SECRET


async def test_lists_show_only_ones_own(identity: RunningIdentity,
                                        engagement: RunningEngagement) -> None:
    cast = await active_contract(identity, engagement)
    other_coach = await identity.member(cast.admin, "coach")
    mine = await expect(await engagement.client.get(
        f"/v1/contracts?after={cast.position}", headers=cast.coachee.headers), 200)
    assert [c["id"] for c in mine["contracts"]] == [cast.contract_id]
    theirs = await expect(await engagement.client.get("/v1/contracts",
                                                      headers=other_coach.headers), 200)
    assert theirs["contracts"] == []
    board = await expect(await engagement.client.get("/v1/dashboard",
                                                     headers=other_coach.headers), 200)
    assert board["coachees"] == []
