"""What the sponsor, the calendar and an erasure show: figures only over five people or more,
session times without names or content, and nothing left of a forgotten coachee."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually

from .journey import active_contract, expect, propose, sign_all


async def test_sponsor_figures_are_suppressed_under_five_people(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    api = engagement.client
    admin = await identity.organisation()
    coach = await identity.member(admin, "coach")
    sponsor = await identity.member(admin, "sponsor")
    position = 0
    for n in range(5):
        coachee = await identity.member(admin, "coachee", name=f"Person {n}")
        contract_id = await propose(engagement, coach, coachee, sponsor, sponsor_view="goals")
        position = await sign_all(engagement, contract_id, coach, coachee, sponsor)
        if n < 4:
            figures = await expect(await api.get(f"/v1/sponsor/figures?after={position}",
                                                 headers=sponsor.headers), 200)
            [programme] = figures["programmes"]
            assert programme["suppressed"] is True and "people" not in programme
            assert set(programme) == {"programme", "suppressed", "reason"}
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    session = await expect(await api.post(f"/v1/contracts/{contract_id}/sessions",
                                          headers=coach.headers, json={"starts_at": past}), 201)
    held = await expect(await api.post(
        f"/v1/contracts/{contract_id}/sessions/{session['id']}/held", headers=coach.headers), 200)
    figures = await expect(await api.get(f"/v1/sponsor/figures?after={held['position']}",
                                         headers=sponsor.headers), 200)
    [programme] = figures["programmes"]
    assert programme["suppressed"] is False and programme["people"] == 5
    assert programme["contracts_active"] == 5 and programme["sessions_held"] == 1
    assert programme["goals"] == {"set": 0, "achieved": 0}
    refused = await api.get("/v1/sponsor/figures", headers=coach.headers)
    assert refused.status_code == 403  # a sponsor's view only


async def test_the_calendar_feed_shows_when_not_who_and_can_be_reset(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    cast = await active_contract(identity, engagement)
    api, path = engagement.client, f"/v1/contracts/{cast.contract_id}"
    start = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    session = await expect(await api.post(f"{path}/sessions", headers=cast.coach.headers,
                                          json={"starts_at": start.isoformat()}), 201)
    moved = await expect(await api.patch(f"{path}/sessions/{session['id']}",
                                         headers=cast.coachee.headers,
                                         json={"starts_at": (start + timedelta(hours=2))
                                               .isoformat()}), 200)
    url = (await expect(await api.post("/v1/calendar-feed", headers=cast.coachee.headers),
                        201))["url"]
    feed_path = url.split("://", 1)[1].split("/", 1)[1]

    async def moved_in_feed() -> bool:
        response = await api.get(f"/{feed_path}")  # no token: the URL is the credential
        if response.status_code != 200:
            return False
        events = Calendar.from_ical(response.content).walk("VEVENT")
        return len(events) == 1 and events[0].decoded("dtstart") == start + timedelta(hours=2)

    await eventually(moved_in_feed, timeout=5)
    assert moved["position"] > 0
    response = await api.get(f"/{feed_path}")
    assert response.headers["content-type"].startswith("text/calendar")
    body = response.text
    for private in ("Amira", "Claire", "Sam", cast.coach.user_id, cast.coachee.user_id):
        assert private not in body
    assert "Coaching session (by video link)" in body

    new_url = (await expect(await api.post("/v1/calendar-feed", headers=cast.coachee.headers),
                            201))["url"]
    assert new_url != url
    assert (await api.get(f"/{feed_path}")).status_code == 404


async def test_a_forgotten_coachee_leaves_no_plaintext_behind(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    cast = await active_contract(identity, engagement)
    api, path = engagement.client, f"/v1/contracts/{cast.contract_id}"
    await expect(await api.post(f"{path}/check-ins", headers=cast.coachee.headers,
                                json={"text": "my private worry"}), 201)
    await expect(await api.post(f"{path}/goals", headers=cast.coachee.headers,
                                json={"title": "my private goal"}), 201)
    officer = await identity.member(cast.admin, "compliance_officer")
    await expect(await identity.client.post(
        f"/v1/organisations/{cast.admin.tenant_id}/erasures", headers=officer.headers,
        json={"subject_id": cast.coachee.user_id, "reason": "asked by the person"}), 202)

    async def forgotten() -> bool:
        board = await expect(await api.get("/v1/dashboard", headers=cast.coach.headers), 200)
        return [r["coachee_name"] for r in board["coachees"]] == ["former coachee"]

    await eventually(forgotten, timeout=5)
    checkins = await expect(await api.get(f"{path}/check-ins", headers=cast.coach.headers), 200)
    assert [c["text"] for c in checkins["check_ins"]] == [None]
    goals = await expect(await api.get(f"{path}/goals", headers=cast.coach.headers), 200)
    assert [g["title"] for g in goals["goals"]] == [None]
    pool = engagement.platform.pool
    for table in ("people", "checkins", "goals", "messages", "experiments"):
        dump = str([dict(r) for r in await pool.fetch(f"SELECT * FROM {table}")])
        assert "my private" not in dump and "Amira" not in dump
