"""Bad input on every route is a 4xx problem, never a 500, and nothing accepted is lost."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.routes import calls

from .journey import active_contract, expect

BODIES = {
    "not JSON": b"{not json",
    "a list": b"[1, 2, 3]",
    "wrong types": json.dumps({k: {"nested": [1]} for k in (
        "coachee_id", "sponsor_id", "terms", "terms_version", "reason", "starts_at", "minutes",
        "mode", "text", "mood", "small_win", "goal_id", "experiment_id", "kind", "question",
        "body", "attachments", "up_to", "title", "note", "progress", "outcome", "belief",
        "behaviour", "result", "learning")}).encode(),
    "out of range": json.dumps({
        "coachee_id": "x" * 65, "terms": {"sessions": {"count": 0, "over_months": 99}},
        "starts_at": "2026-13-45", "minutes": 5, "mood": 9, "text": "", "body": "",
        "up_to": 0, "progress": 101, "kind": "shrug", "outcome": "maybe",
        "attachments": [{"filename": "", "media_type": "nope", "size": -1}]}).encode(),
    "naive time": b'{"starts_at": "2026-12-01T09:00:00"}',
    "huge": b'{"text": "' + b"x" * 300_000 + b'"}',
    "null bytes": b'{"text": "\\u0000", "body": "\\u0000", "title": "\\u0000"}',
}
QUERIES = "?limit=-1&after=-5&since=abc&before=yesterday"
SOON = (datetime.now(UTC) + timedelta(days=45)).replace(microsecond=0).isoformat()


async def test_bad_input_anywhere_is_a_4xx_problem(identity: RunningIdentity,
                                                   engagement: RunningEngagement) -> None:
    cast = await active_contract(identity, engagement)
    path = f"/v1/contracts/{cast.contract_id}"
    kept_safe = await expect(await engagement.client.post(
        f"{path}/check-ins", headers=cast.coachee.headers, json={"text": "kept safe"}), 201)
    values = {"contract_id": cast.contract_id, "consent": "not_a_consent", "*": "no-such-id",
              "token": "short"}
    checked = 0
    for call in calls(engagement.app):
        for who in (cast.coach, cast.coachee):
            for what, body in BODIES.items():
                response = await engagement.client.request(
                    call.method, call.url(values) + QUERIES, content=body,
                    headers={**who.headers, "Content-Type": "application/json"})
                if not call.takes_body and response.status_code in (200, 201):
                    continue  # a route without a body ignores one, and unknown parameters
                assert 400 <= response.status_code < 500, (call, what, response.text)
                assert response.headers["content-type"].startswith("application/problem+json")
                assert response.json()["type"].startswith("urn:interlude:problem:")
                checked += 1
    assert checked > 300
    kept = await expect(await engagement.client.get(
        f"{path}/check-ins?after={kept_safe['position']}", headers=cast.coach.headers), 200)
    assert [c["text"] for c in kept["check_ins"]] == ["kept safe"]
    assert (await expect(await engagement.client.get(path, headers=cast.coach.headers),
                         200))["status"] == "active"


EDGES = ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00")  # not in UTC's range


async def test_instants_and_numbers_past_what_is_stored_are_422_problems(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    # found by tests/fuzz/test_probes.py: Python cannot turn these instants to UTC, nor
    # PostgreSQL's bigint hold 2**63; each was a 500, and a session booked at such an instant
    # an event that the read models could not store
    cast = await active_contract(identity, engagement)
    path, api = f"/v1/contracts/{cast.contract_id}", engagement.client
    requests = [("GET", f"{path}/check-ins?before={edge.replace('+', '%2B')}", None)
                for edge in EDGES]
    requests += [("POST", f"{path}/sessions", {"starts_at": edge}) for edge in EDGES]
    requests += [("GET", f"{path}/messages?since={2**63}", None),
                 ("POST", f"{path}/messages/read", {"up_to": 2**63})]
    for method, url, body in requests:
        response = await api.request(method, url, json=body, headers=cast.coach.headers)
        assert response.status_code == 422, (method, url, body, response.text)
        assert response.json()["type"] == "urn:interlude:problem:validation"
    board = await expect(await api.get(f"{path}/sessions", headers=cast.coach.headers), 200)
    assert board["sessions"] == []


async def test_booleans_and_numbers_of_another_json_type_are_refused_naming_the_field(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    # found by the fuzzer: "true" was a small win, "60" sixty minutes, 0 no messaging
    cast = await active_contract(identity, engagement)
    path, api = f"/v1/contracts/{cast.contract_id}", engagement.client
    requests = [
        (cast.coachee, f"{path}/check-ins", {"text": "a day", "small_win": "true"},
         "body.small_win"),
        (cast.coachee, f"{path}/check-ins", {"text": "a day", "mood": 4.5}, "body.mood"),
        (cast.coach, f"{path}/sessions", {"starts_at": "2026-12-01T09:00:00Z",
                                          "minutes": "60"}, "body.minutes"),
        (cast.coach, f"{path}/amendments", {"terms": {
            "sessions": {"count": 6, "over_months": 6}, "channels": {"messaging": 0}}},
         "body.terms.channels.messaging")]
    for who, url, body, location in requests:
        response = await api.post(url, json=body, headers=who.headers)
        assert response.status_code == 422, (url, body, response.text)
        assert [e["location"] for e in response.json()["errors"]] == [location]
    check_ins = await expect(await api.get(f"{path}/check-ins", headers=cast.coach.headers), 200)
    assert check_ins["check_ins"] == []


async def test_a_session_years_ahead_or_back_is_refused_saying_from_or_until_when(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    # found by the fuzzer: a session in 8999 was booked (and reminded of, and counted); by a
    # walk through the web, one in 2020 (a typo for 2026)
    cast = await active_contract(identity, engagement)
    path, api = f"/v1/contracts/{cast.contract_id}/sessions", engagement.client
    soon = await expect(await api.post(path, headers=cast.coach.headers,
                                       json={"starts_at": SOON}), 201)
    requests = [("POST", path, {"starts_at": "8999-01-01T09:00:00Z"}),
                ("PATCH", f"{path}/{soon['id']}", {"starts_at": "2100-01-01T09:00:00+01:00"})]
    for method, url, body in requests:
        response = await api.request(method, url, json=body, headers=cast.coachee.headers)
        assert response.status_code == 422, (method, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["type"] == "urn:interlude:problem:session-too-far-ahead"
        assert problem["detail"].startswith("a session can be scheduled at most two years "
                                            "ahead, until ")
        assert "latest" in problem
    back = await api.post(path, headers=cast.coach.headers,
                          json={"starts_at": "2020-01-06T09:00:00+00:00"})
    assert back.status_code == 422
    assert back.json()["type"] == "urn:interlude:problem:session-too-far-back"
    assert "earliest" in back.json()
    board = await expect(await api.get(path, headers=cast.coach.headers), 200)
    assert [s["starts_at"][:10] for s in board["sessions"]] == [SOON[:10]]
