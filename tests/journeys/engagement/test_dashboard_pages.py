"""The coach dashboard a page at a time: walking the pages shows every coachee once, in the
order of their attention (as ``domain/attention.py`` scores it, reasons and all), also when
time has carried some of them past a deadline; the totals are the caseload's; a cursor the
coach's own dashboard did not give is refused."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import Person, RunningIdentity

from .journey import expect, propose, sign_all

PAGE = 3


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


async def _walk(engagement: RunningEngagement, coach: Person, after: int = 0
                ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every line, page after page, and the first page."""
    lines: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": PAGE, "after": after}
    first = None
    while True:
        board = await expect(await engagement.client.get("/v1/dashboard", params=params,
                                                         headers=coach.headers), 200)
        first = first or board
        assert len(board["coachees"]) <= PAGE and board["total"] == first["total"]
        lines += board["coachees"]
        if board["next_cursor"] is None:
            return lines, first
        params = {"limit": PAGE, "cursor": board["next_cursor"]}


def _ordered(lines: list[dict[str, Any]], signed: list[str]) -> list[str]:
    """The contracts in attention order, longest-standing first among equals."""
    return [line["contract_id"] for line in sorted(
        lines, key=lambda line: (-line["attention"], signed.index(line["contract_id"])))]


async def test_the_pages_show_every_coachee_once_in_attention_order_as_time_passes(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    api = engagement.client
    admin = await identity.organisation()
    coach = await identity.member(admin, "coach")
    people: dict[str, tuple[Person, str]] = {}
    for name in ("Nothing yet", "Writes", "Low", "Booked", "Calm", "Also nothing", "Again"):
        coachee = await identity.member(admin, "coachee", name=name)
        contract_id = await propose(engagement, coach, coachee)
        await sign_all(engagement, contract_id, coach, coachee)
        people[name] = (coachee, f"/v1/contracts/{contract_id}")
    signed = [path.rsplit("/", 1)[1] for _, path in people.values()]

    async def post(name: str, what: str, body: dict[str, Any], by: Person | None = None
                   ) -> dict[str, Any]:
        person, path = people[name]
        return await expect(await api.post(f"{path}/{what}", headers=(by or person).headers,
                                           json=body), 201)

    soon = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    await post("Writes", "messages", {"body": "are you there?"})
    await post("Low", "check-ins", {"text": "hard", "mood": 1})
    await post("Booked", "sessions", {"starts_at": soon}, by=coach)
    await post("Calm", "sessions", {"starts_at": soon}, by=coach)
    calm = await post("Calm", "check-ins", {"text": "fine", "mood": 4})
    last = await expect(await api.post(
        f"{people['Calm'][1]}/check-ins/{calm['id']}/acknowledgements", headers=coach.headers,
        json={"kind": "like"}), 200)

    lines, first = await _walk(engagement, coach, last["position"])
    by_name = {line["coachee_name"]: line for line in lines}
    assert [line["contract_id"] for line in lines] == _ordered(lines, signed)
    assert sorted(by_name) == sorted(people) and len(lines) == len(people)
    assert by_name["Calm"]["attention"] == 0 and by_name["Calm"]["reasons"] == []
    assert (first["total"], first["needing_attention"]) == (7, 6)

    for days, leader, reason in ((3, "Writes", "reply overdue"),
                                 (8, "Writes", "no check-in for a week")):
        later = datetime.now(UTC) + timedelta(days=days)
        engagement.app.state.engagement.clock = lambda at=later: at
        lines, first = await _walk(engagement, coach)
        assert [line["contract_id"] for line in lines] == _ordered(lines, signed), days
        assert lines[0]["coachee_name"] == leader and reason in str(lines), days
        by_name = {line["coachee_name"]: line for line in lines}
        assert "no next session scheduled" in by_name["Booked"]["reasons"]  # it has begun
        assert len({line["contract_id"] for line in lines}) == len(people)
        assert first["needing_attention"] == 7


async def _two_coaches(identity: RunningIdentity, engagement: RunningEngagement,
                       *names: str) -> tuple[Person, Person, list[tuple[Person, str]], int]:
    """A coach with a contract with each of ``names``, another coach of the same organisation,
    and the position of the last signature."""
    admin = await identity.organisation()
    coach = await identity.member(admin, "coach")
    other = await identity.member(admin, "coach")
    signed, position = [], 0
    for name in names:
        coachee = await identity.member(admin, "coachee", name=name)
        contract_id = await propose(engagement, coach, coachee)
        position = await sign_all(engagement, contract_id, coach, coachee)
        signed.append((coachee, contract_id))
    return coach, other, signed, position


async def test_a_cursor_not_from_the_coachs_own_dashboard_is_refused(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    api = engagement.client
    coach, other, _, position = await _two_coaches(identity, engagement, "Ann", "Bo")
    board = await expect(await api.get("/v1/dashboard", headers=coach.headers,
                                       params={"limit": 1, "after": position}), 200)
    assert board["next_cursor"] and board["total"] == 2
    at = "2026-01-01T00:00:00+00:00"
    forged = [[coach.user_id, at, 10**12, at, "c"], [coach.user_id, at[:19], 1, at[:19], "c"]]
    for cursor, who in ((board["next_cursor"], other), ("not-a-cursor", coach),
                        ("WyJ4Il0", coach),  # ["x"]
                        *((_cursor(value), coach) for value in forged)):
        refused = await api.get("/v1/dashboard", headers=who.headers, params={"cursor": cursor})
        assert refused.status_code == 400, refused.text
        assert refused.json()["type"] == "urn:interlude:problem:bad-cursor"
    for limit in (0, 101):
        await expect(await api.get("/v1/dashboard", headers=coach.headers,
                                   params={"limit": limit}), 422)
    rest = await expect(await api.get("/v1/dashboard", headers=coach.headers,
                                      params={"limit": 1, "cursor": board["next_cursor"]}), 200)
    assert rest["next_cursor"] is None and len(rest["coachees"]) == 1
    assert rest["coachees"][0]["contract_id"] != board["coachees"][0]["contract_id"]


async def test_one_line_reads_as_on_the_page_and_only_for_its_coach(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    api = engagement.client
    coach, other, [(coachee, contract_id)], _ = await _two_coaches(identity, engagement,
                                                                   "Amira Haddad")
    written = await expect(await api.post(f"/v1/contracts/{contract_id}/messages",
                                          headers=coachee.headers, json={"body": "hello?"}), 201)
    board = await expect(await api.get("/v1/dashboard", headers=coach.headers,
                                       params={"after": written["position"]}), 200)
    line = await expect(await api.get(f"/v1/dashboard/{contract_id}", headers=coach.headers),
                        200)
    assert {k: v for k, v in line.items() if k not in ("blocked", "as_of", "fresh")} == \
        board["coachees"][0]
    assert line["coachee_name"] == "Amira Haddad" and line["unanswered"] == 1
    await expect(await api.get(f"/v1/dashboard/{contract_id}", headers=other.headers), 404)
    elsewhere = await identity.member(await identity.organisation("Elsewhere"), "coach")
    await expect(await api.get(f"/v1/dashboard/{contract_id}", headers=elsewhere.headers), 404)
    page = await expect(await api.get("/v1/dashboard", headers=elsewhere.headers), 200)
    assert page["coachees"] == [] and page["total"] == 0
