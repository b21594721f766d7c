"""The organisation's blocks: every key of engagement, switched off, refuses every command and
query it governs with a 403 that names it, and leaves an access event for the audit trail."""

from __future__ import annotations

from typing import Any

from interlude.engagement.testing import RunningEngagement, terms
from interlude.identity.testing import RunningIdentity

from .journey import Cast, access_events, active_contract, expect, set_policy


async def _seeded(identity: RunningIdentity, engagement: RunningEngagement) -> tuple[Cast, str]:
    """An active contract with a check-in and a message, before anything is switched off."""
    cast = await active_contract(identity, engagement)
    api, path = engagement.client, f"/v1/contracts/{cast.contract_id}"
    checkin = await expect(await api.post(f"{path}/check-ins", headers=cast.coachee.headers,
                                          json={"text": "before the block"}), 201)
    sent = await expect(await api.post(f"{path}/messages", headers=cast.coachee.headers,
                                       json={"body": "before the block"}), 201)
    cast.position = sent["position"]  # what a read waits for to see both
    return cast, checkin["id"]


def _calls(cast: Cast, checkin_id: str, key: str) -> list[tuple[str, str, Any, Any]]:
    """(method, url, who, body) of every route ``key`` governs."""
    path = f"/v1/contracts/{cast.contract_id}"
    propose = {"coachee_id": cast.coachee.user_id, "terms": terms()}
    amend = {"terms": terms(programme="Amended")}
    governed = {
        "checkins.enabled": [
            ("POST", f"{path}/check-ins", cast.coachee, {"text": "a check-in"}),
            ("GET", f"{path}/check-ins", cast.coach, None),
            ("GET", f"{path}/check-ins", cast.coachee, None),
            ("POST", f"{path}/check-ins/{checkin_id}/acknowledgements", cast.coach,
             {"kind": "like"}),
            ("POST", "/v1/contracts", cast.coach, propose),
            ("POST", f"{path}/amendments", cast.coachee, amend)],
        "messaging.enabled": [
            ("POST", f"{path}/messages", cast.coach, {"body": "a reply"}),
            ("GET", f"{path}/messages", cast.coachee, None),
            ("POST", f"{path}/messages/read", cast.coach, {"up_to": 1}),
            ("POST", "/v1/contracts", cast.coach, propose),
            ("POST", f"{path}/amendments", cast.coach, amend)],
        "messaging.attachments": [
            ("POST", f"{path}/messages", cast.coachee, {"body": "see attached", "attachments": [
                {"filename": "plan.pdf", "media_type": "application/pdf", "size": 1200}]})],
        "sponsor_reports.enabled": [("GET", "/v1/sponsor/figures", cast.sponsor, None)],
    }
    return governed[key]


async def _assert_blocked(identity: RunningIdentity, engagement: RunningEngagement,
                          key: str, by_default: bool = False) -> None:
    cast, checkin_id = await _seeded(identity, engagement)
    if not by_default:
        await set_policy(identity, engagement, cast.admin, {key: False})
    calls = _calls(cast, checkin_id, key)
    for method, url, who, body in calls:
        response = await engagement.client.request(method, url, headers=who.headers, json=body)
        assert response.status_code == 403, (key, method, url, response.text)
        problem = response.json()
        assert problem["type"] == "urn:interlude:problem:policy-blocked", problem
        assert problem["block"] == key
        assert problem["policy_version"] == (1 if by_default else 2)
    denials = [e for e in await access_events(engagement, cast.admin.tenant_id)
               if e.type == "access.AccessDenied" and e.payload["reason"] == key]
    assert len(denials) == len(calls)
    assert {e.actor.id for e in denials} == {who.user_id for _, _, who, _ in calls}


async def test_check_ins_switched_off(identity: RunningIdentity,
                                      engagement: RunningEngagement) -> None:
    await _assert_blocked(identity, engagement, "checkins.enabled")


async def test_messaging_switched_off(identity: RunningIdentity,
                                      engagement: RunningEngagement) -> None:
    await _assert_blocked(identity, engagement, "messaging.enabled")


async def test_sponsor_reports_switched_off(identity: RunningIdentity,
                                            engagement: RunningEngagement) -> None:
    await _assert_blocked(identity, engagement, "sponsor_reports.enabled")


async def test_attachments_are_refused_by_default_and_allowed_when_switched_on(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    await _assert_blocked(identity, engagement, "messaging.attachments", by_default=True)
    cast = await active_contract(identity, engagement)
    await set_policy(identity, engagement, cast.admin, {"messaging.attachments": True})
    [(method, url, who, body)] = _calls(cast, "-", "messaging.attachments")
    sent = await engagement.client.request(method, url, headers=who.headers, json=body)
    assert sent.status_code == 201, sent.text


async def test_the_dashboard_leaves_out_what_the_organisation_switched_off(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    cast, _ = await _seeded(identity, engagement)
    await set_policy(identity, engagement, cast.admin, {"checkins.enabled": False})
    board = await expect(await engagement.client.get(f"/v1/dashboard?after={cast.position}",
                                                     headers=cast.coach.headers), 200)
    assert board["blocked"] == ["checkins.enabled"]
    [row] = board["coachees"]
    assert "last_checkin_at" not in row and "streak" not in row
    assert row["unanswered"] == 1  # messaging is still on
