"""What a sponsor sees of one contract: the terms they sign, and of how it is going no more than
its sponsor view allows, never what the suppression of a programme under five people hides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import Person, RunningIdentity

from .journey import active_contract, expect, propose, set_policy, sign_all

COACHING = {"sessions", "consents"}  # the coach's and the coachee's, not the sponsor's


async def _held_session(engagement: RunningEngagement, coach: Person, contract_id: str) -> int:
    api, path = engagement.client, f"/v1/contracts/{contract_id}/sessions"
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    session = await expect(await api.post(path, headers=coach.headers,
                                          json={"starts_at": past}), 201)
    held = await expect(await api.post(f"{path}/{session['id']}/held", headers=coach.headers),
                        200)
    return int(held["position"])


async def _seen(engagement: RunningEngagement, who: Person, contract_id: str,
                after: int) -> dict[str, Any]:
    return await expect(await engagement.client.get(f"/v1/contracts/{contract_id}?after={after}",
                                                    headers=who.headers), 200)


async def test_a_sponsor_sees_nothing_of_how_a_contract_goes_under_sponsor_view_none(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    cast = await active_contract(identity, engagement, sponsor_view="none")
    position = await _held_session(engagement, cast.coach, cast.contract_id)
    seen = await _seen(engagement, cast.sponsor, cast.contract_id, position)
    assert not COACHING & set(seen) and seen["figures"] is None, seen
    assert seen["your_part"] == "sponsor" and seen["terms"]["sponsor_view"] == "none"
    coach = await _seen(engagement, cast.coach, cast.contract_id, position)
    assert coach["sessions"]["held"] == 1  # the parties to the coaching still see it


async def test_a_sponsor_sees_a_contract_only_as_far_as_its_programme_figures_go(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    admin = await identity.organisation()
    coach = await identity.member(admin, "coach")
    sponsor = await identity.member(admin, "sponsor")
    views = ("goals", "attendance", "attendance", "attendance", "none", "attendance")
    contracts: list[str] = []
    for n, view in enumerate(views):
        coachee = await identity.member(admin, "coachee", name=f"Person {n}")
        contracts.append(await propose(engagement, coach, coachee, sponsor, sponsor_view=view))
        await sign_all(engagement, contracts[-1], coach, coachee, sponsor)
        position = await _held_session(engagement, coach, contracts[-1])
        if n == 4:  # four people show attendance, one shows nothing: still too few
            for contract_id, shown in zip(contracts, views, strict=False):
                seen = await _seen(engagement, sponsor, contract_id, position)
                assert not COACHING & set(seen), seen
                figures = seen["figures"]
                if shown == "none":
                    assert figures is None
                else:
                    assert figures["suppressed"] is True and set(figures) == {
                        "suppressed", "reason"}, seen
    first = await _seen(engagement, sponsor, contracts[0], position)
    nothing = await _seen(engagement, sponsor, contracts[4], position)
    assert first["figures"] == {"suppressed": False, "goals": None,  # one goal view: too few
                                "sessions": {"planned": 6, "held": 1, "scheduled": 0}}
    assert nothing["figures"] is None and "sessions" not in nothing

    await set_policy(identity, engagement, admin, {"sponsor_reports.enabled": False})
    blocked = await _seen(engagement, sponsor, contracts[0], position)
    assert blocked["figures"] is None and blocked["blocked"] == ["sponsor_reports.enabled"]
