"""A coach's reply reaches the coachee by e-mail on the real stack (identity, engagement,
notify, a real SMTP server): with ``notify.email_content=none`` no header or body of any
message holds what was written; the e-mail's one-click unsubscribe works without signing in;
a reply in the contract's quiet hours arrives once they end, once; the person's preferences
over HTTP, and bad input answered with problems."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.notify.outbound_testing import everything
from interlude.notify.testing import RunningNotify
from interlude.shared.testing.eventually import eventually

from ..engagement.journey import active_contract, expect
from .inbox import told
from .outbound import sending

MARKERS = ("MARKER-Q7T2 the budget talk", "MARKER-J4K8 my manager")


async def test_a_coach_reply_is_emailed_without_its_content(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement)
    path = f"/v1/contracts/{cast.contract_id}/messages"
    async with sending(notify) as mail:
        for marker in MARKERS:
            await expect(await engagement.client.post(path, headers=cast.coach.headers,
                                                      json={"body": marker}), 201)
        replies = await told(notify, cast.coachee, "coach_replied", count=2)
        sent = await mail.carried(*(n["id"] for n in replies))
        assert all(m["To"] == cast.coachee.email for m in sent)
        assert all("Claire Coach replied to you" in everything(m) for m in sent)
        for message in mail.messages():
            text = everything(message)
            assert not any(marker in text or marker.split()[0] in text for marker in MARKERS)
        assert sent[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


async def test_one_click_unsubscribe_stops_that_kind_of_email(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement)
    api, contract = engagement.client, f"/v1/contracts/{cast.contract_id}"
    async with sending(notify) as mail:
        earlier = [n["id"] for kind in ("invitation", "contract_awaits_signature")
                   for n in await told(notify, cast.coachee, kind)]
        await mail.carried(*earlier)  # so that the reply goes in a message of its own
        await expect(await api.post(f"{contract}/messages", headers=cast.coach.headers,
                                    json={"body": "first"}), 201)
        [reply] = await mail.arrived(cast.coachee.email, "replied")
        https = reply["List-Unsubscribe"].split(",")[0].strip(" <>")
        url = urlsplit(https)
        answer = await expect(await notify.client.post(
            f"{url.path}?{url.query}", content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"}), 200)
        assert (answer["kind"], answer["timing"]) == ("coach_replied", "never")
        prefs = await expect(await notify.client.get(
            "/v1/notify/preferences", headers=cast.coachee.headers,
            params={"after": answer["position"]}), 200)
        assert prefs["email"]["coach_replied"] == "never"

        await expect(await api.post(f"{contract}/messages", headers=cast.coach.headers,
                                    json={"body": "second"}), 201)
        checkin = await expect(await api.post(f"{contract}/check-ins",
                                              headers=cast.coachee.headers,
                                              json={"text": "ok", "mood": 3}), 201)
        await expect(await api.post(f"{contract}/check-ins/{checkin['id']}/acknowledgements",
                                    headers=cast.coach.headers,
                                    json={"kind": "question", "question": "why?"}), 200)
        # the question is e-mailed after the second reply was decided on: that one was not
        await mail.arrived(cast.coachee.email, "asked a question")
        assert len(mail.messages(cast.coachee.email, "replied")) == 1
        await told(notify, cast.coachee, "coach_replied", count=2)  # the inbox still has it


async def test_a_reply_in_quiet_hours_arrives_once_they_end(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    now = datetime.now(UTC)
    hours = {"start": (now - timedelta(hours=1)).strftime("%H:%M"),
             "end": (now + timedelta(hours=2)).strftime("%H:%M"), "timezone": "UTC"}
    cast = await active_contract(identity, engagement, quiet_hours=hours)
    async with sending(notify) as mail:
        await expect(await engagement.client.post(
            f"/v1/contracts/{cast.contract_id}/messages", headers=cast.coach.headers,
            json={"body": "late at night"}), 201)
        [queued] = await told(notify, cast.coachee, "coach_replied")
        pool = notify.platform.pool

        async def held() -> bool:
            row = await pool.fetchrow("SELECT status, due_at FROM outbox WHERE"
                                      " notification_id = $1", queued["id"])
            return row is not None and row["status"] == "pending" and \
                row["due_at"] > now + timedelta(hours=1, minutes=58)

        await eventually(held, timeout=15, what="the reply held for the quiet hours")
        assert mail.carrying(queued["id"]) == []
        mail.ahead = timedelta(hours=2, minutes=1)
        [released] = await mail.carried(queued["id"])
        assert "Claire Coach replied to you" in everything(released)
        await eventually(lambda: _status(pool, queued["id"], "sent"), timeout=10)
        assert len(mail.carrying(queued["id"])) == 1


async def _status(pool, notification_id: str, status: str) -> bool:  # type: ignore[no-untyped-def]
    value = await pool.fetchval("SELECT status FROM outbox WHERE notification_id = $1",
                                notification_id)
    return bool(value == status)


async def test_a_digest_hour_given_as_text_is_refused_not_read_as_meant(
        identity: RunningIdentity, notify: RunningNotify) -> None:
    # found by the fuzzer: "18" was taken for 18 o'clock
    admin = await identity.organisation("Northwind")
    person = await identity.member(admin, "coachee", name="Amira Haddad")
    for value in ("18", 18.5, True):
        answer = await notify.client.put("/v1/notify/preferences", headers=person.headers,
                                         json={"digest_hour": value})
        assert answer.status_code == 422, (value, answer.text)
        assert [e["location"] for e in answer.json()["errors"]] == ["body.digest_hour"]
    prefs = await expect(await notify.client.get("/v1/notify/preferences",
                                                 headers=person.headers), 200)
    assert prefs["digest_hour"] == 8


async def test_preferences_over_http_and_bad_input(
        identity: RunningIdentity, notify: RunningNotify) -> None:
    admin = await identity.organisation("Northwind")
    person = await identity.member(admin, "coachee", name="Amira Haddad")
    api, headers = notify.client, person.headers
    prefs = await expect(await api.get("/v1/notify/preferences", headers=headers), 200)
    assert prefs["email"]["coach_replied"] == "immediately" and prefs["digest_hour"] == 8
    written = await expect(await api.put("/v1/notify/preferences", headers=headers, json={
        "email": {"post_reacted": "weekly"}, "time_zone": "Europe/Paris", "digest_hour": 18,
        "quiet_hours": {"start": "22:00", "end": "07:00", "time_zone": "Europe/Paris"}}), 200)
    prefs = await expect(await api.get("/v1/notify/preferences", headers=headers,
                                       params={"after": written["position"]}), 200)
    assert prefs["email"]["post_reacted"] == "weekly" and prefs["time_zone"] == "Europe/Paris"
    assert prefs["quiet_hours"]["start"] == "22:00" and prefs["fresh"] is True
    bad = [{"email": {"nope": "daily"}}, {"email": {"coach_replied": "hourly"}},
           {"time_zone": "Mars/Base"}, {"digest_hour": 30}, {"surprise": 1},
           {"quiet_hours": {"start": "25:00", "end": "07:00"}},
           {"quiet_hours": {"start": "07:00", "end": "07:00"}}, {"time_zone": "a\u0000b"}]
    for body in bad:
        answer = await api.put("/v1/notify/preferences", headers=headers, json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    assert (await api.get("/v1/notify/preferences")).status_code == 401
    for token in ("x" * 40, "abc.def.ghi-jkl-mno"):
        answer = await api.post("/v1/notify/unsubscribe", params={"token": token})
        assert answer.status_code == 401, answer.text
    assert (await api.post("/v1/notify/unsubscribe")).status_code == 401
    too_long = await api.post("/v1/notify/unsubscribe", params={"token": "x" * 601})
    assert too_long.status_code == 422
