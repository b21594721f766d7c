"""Who engagement's and identity's events tell, and of what: each party of a contract hears
what concerns them (and never of their own doing); a session's reminder and an unanswered
message's overdue notice are durable timers that a moved or cancelled session, or a reply,
set aside."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from interlude.engagement.testing import RunningEngagement, terms
from interlude.identity.testing import RunningIdentity
from interlude.notify.app.reminders import Reminders
from interlude.notify.testing import RunningNotify

from ..engagement.journey import active_contract, expect, set_policy
from .inbox import notifications, told


def reminders(notify: RunningNotify) -> Reminders:
    return next(r.reminders for r in notify.runners if hasattr(r, "reminders"))


async def test_each_party_of_a_contract_hears_what_concerns_them(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement)  # four coach replies a month
    api, contract = engagement.client, f"/v1/contracts/{cast.contract_id}"
    for person in (cast.coachee, cast.sponsor):
        [proposed] = await told(notify, person, "contract_awaits_signature")
        assert proposed["actor"]["name"] == "Claire Coach"
    assert await told(notify, cast.coachee, "invitation")  # from the organisation's admin

    checkin = await expect(await api.post(f"{contract}/check-ins", headers=cast.coachee.headers,
                                          json={"text": "A tough week", "mood": 2}), 201)
    [awaits] = await told(notify, cast.coach, "checkin_awaits")
    assert awaits["excerpt"] == "A tough week" and awaits["item_id"] == checkin["id"]
    await expect(await api.post(f"{contract}/check-ins/{checkin['id']}/acknowledgements",
                                headers=cast.coach.headers,
                                json={"kind": "question", "question": "What made it tough?"}),
                 200)
    [question] = await told(notify, cast.coachee, "checkin_questioned")
    assert question["excerpt"] == "What made it tough?"

    await expect(await api.delete(f"{contract}/consents/pin_insights",
                                  headers=cast.coachee.headers), 200)
    [withdrawn] = await told(notify, cast.coach, "consent_withdrawn")
    assert withdrawn["actor"]["name"] == "Amira Haddad"

    for n in range(3):
        await expect(await api.post(f"{contract}/messages", headers=cast.coach.headers,
                                    json={"body": f"Reply {n}"}), 201)
    await told(notify, cast.coachee, "coach_replied", count=3)
    [nearly] = await told(notify, cast.coachee, "allowance_nearly_used")
    assert nearly["excerpt"] is None  # it tells of the allowance, not of the reply
    kinds = [n["kind"] for n in await notifications(notify, cast.coach, limit=100)]
    assert "coach_replied" not in kinds and "checkin_questioned" not in kinds

    await expect(await api.post(f"{contract}/amendments", headers=cast.coachee.headers,
                                json={"terms": terms(allowance={
                                    "kind": "monthly", "replies_per_month": 6,
                                    "reply_window_hours": 24})}), 201)
    for person in (cast.coach, cast.sponsor):  # everyone but who proposed it
        [amended] = await told(notify, person, "contract_amended")
        assert amended["actor"]["name"] == "Amira Haddad"

    second_admin = await identity.member(cast.admin, "org_admin", name="Otto Admin")
    await set_policy(identity, notify, cast.admin, {"notify.email_content": "subject"})
    [changed] = await told(notify, second_admin, "policy_changed")
    assert changed["actor"]["name"] == "Ada Admin"


async def test_a_session_is_reminded_the_day_before_unless_moved_or_cancelled(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement)
    api, sessions = engagement.client, f"/v1/contracts/{cast.contract_id}/sessions"
    soon = datetime.now(UTC) + timedelta(hours=3)
    session = await expect(await api.post(sessions, headers=cast.coach.headers,
                                          json={"starts_at": soon.isoformat()}), 201)
    for person in (cast.coach, cast.coachee):  # booked for within a day: reminded at once
        [reminded] = await told(notify, person, "session_tomorrow")
        assert reminded["item_id"] == session["id"]
    await expect(await api.patch(f"{sessions}/{session['id']}", headers=cast.coach.headers,
                                 json={"starts_at": (soon + timedelta(hours=1)).isoformat()}),
                 200)
    [moved] = await told(notify, cast.coachee, "session_moved")
    assert moved["actor"]["name"] == "Claire Coach"
    await told(notify, cast.coachee, "session_tomorrow", count=2)  # the new time, reminded

    later = datetime.now(UTC) + timedelta(days=10)
    booked = await expect(await api.post(sessions, headers=cast.coach.headers,
                                         json={"starts_at": later.isoformat()}), 201)
    await expect(await api.post(f"{sessions}/{booked['id']}/cancellation",
                                headers=cast.coachee.headers, json={"reason": "Off sick"}), 200)
    [cancelled] = await told(notify, cast.coach, "session_cancelled")
    assert cancelled["excerpt"] == "Off sick" and cancelled["item_id"] == booked["id"]
    assert await reminders(notify).fire(later) == 0  # its reminder went with it
    assert len(await told(notify, cast.coach, "session_tomorrow", count=2)) == 2


async def test_an_unanswered_message_is_overdue_for_the_coach_once(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement)  # a reply window of 48 hours
    api, thread = engagement.client, f"/v1/contracts/{cast.contract_id}/messages"
    await expect(await api.post(thread, headers=cast.coachee.headers,
                                json={"body": "Can we talk about Monday?"}), 201)
    await expect(await api.post(thread, headers=cast.coachee.headers,
                                json={"body": "It is urgent"}), 201)
    await told(notify, cast.coach, "message_received", count=2)
    timer = reminders(notify)
    assert await timer.fire(datetime.now(UTC) + timedelta(hours=47)) == 0
    assert await timer.fire(datetime.now(UTC) + timedelta(hours=49)) == 1
    [overdue] = await told(notify, cast.coach, "reply_overdue")
    assert overdue["actor"]["name"] == "Amira Haddad"
    assert await timer.fire(datetime.now(UTC) + timedelta(hours=50)) == 0  # told once

    # answered in time, the next one is not overdue
    await expect(await api.post(thread, headers=cast.coachee.headers,
                                json={"body": "Another question"}), 201)
    await told(notify, cast.coach, "message_received", count=3)
    await expect(await api.post(thread, headers=cast.coach.headers, json={"body": "Yes!"}), 201)
    await told(notify, cast.coachee, "coach_replied")
    assert await timer.fire(datetime.now(UTC) + timedelta(days=30)) == 0
