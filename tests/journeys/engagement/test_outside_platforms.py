"""The contract's word on outside platforms: what coach and coachee agree about social media
and other channels is signed with the terms and shown to both; the clauses the product can act
on are enforced (here: no sessions in an outside calendar leaves the contract's sessions out
of the coachee's private calendar feed, while another contract's stay in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from interlude.engagement.testing import RunningEngagement, terms
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually

from .journey import active_contract, expect, propose, sign_all

AGREED = {"connect_on_social_media": False,
          "uses": [{"platform": "LinkedIn", "use": "articles only, never coaching",
                    "response_hours": 72}],
          "note": "We keep the coaching itself in Interlude.",
          "sessions_in_outside_calendars": False, "cohort_posts_stay_inside": True}


async def test_both_parties_see_the_clause_and_the_calendar_feed_honours_it(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    cast = await active_contract(identity, engagement, outside_platforms=AGREED)
    api = engagement.client
    for who in (cast.coach, cast.coachee):
        contract = await expect(await api.get(f"/v1/contracts/{cast.contract_id}",
                                              headers=who.headers), 200)
        assert contract["terms"]["outside_platforms"] == AGREED
    # a second contract of the coachee, with another coach, agreeing the defaults
    other_coach = await identity.member(cast.admin, "coach", name="Marcus Mentor")
    other = await propose(engagement, other_coach, cast.coachee)
    await sign_all(engagement, other, other_coach, cast.coachee)

    start = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    for contract_id, coach, at in ((cast.contract_id, cast.coach, start),
                                   (other, other_coach, start + timedelta(days=1))):
        await expect(await api.post(f"/v1/contracts/{contract_id}/sessions",
                                    headers=coach.headers, json={"starts_at": at.isoformat()}),
                     201)
    url = (await expect(await api.post("/v1/calendar-feed", headers=cast.coachee.headers),
                        201))["url"]
    feed = "/" + url.split("://", 1)[1].split("/", 1)[1]

    async def only_the_other() -> bool:
        response = await api.get(feed)
        events = Calendar.from_ical(response.content).walk("VEVENT")
        return [e.decoded("dtstart") for e in events] == [start + timedelta(days=1)]

    await eventually(only_the_other, timeout=5)


async def test_the_clause_is_checked_like_any_text(identity: RunningIdentity,
                                                    engagement: RunningEngagement) -> None:
    cast = await active_contract(identity, engagement)
    api = engagement.client
    for bad in ({"uses": [{"platform": "Link\u0000edIn"}]},
                {"uses": [{"platform": "x"}] * 11}, {"note": "x" * 2001},
                {"uses": [{"platform": "phone", "response_hours": 0}]}, {"unknown": True}):
        response = await api.post(f"/v1/contracts/{cast.contract_id}/amendments",
                                  headers=cast.coach.headers,
                                  json={"terms": terms(outside_platforms=bad)})
        assert response.status_code == 422, (bad, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
