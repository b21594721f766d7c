"""The inbox's boundaries: a notification is its recipient's alone (anyone else, in the
organisation or not, gets 404), reading one or all is an event the counts follow, the
organisation's ``notify.channels`` without ``in_app`` closes the inbox (403 naming the block)
and keeps nothing in it, erasure empties it, and bad input is a 4xx problem, never a 500."""

from __future__ import annotations

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.notify.testing import RunningNotify
from interlude.notify.wiring import VIEWS
from interlude.shared.testing.eventually import eventually
from interlude.shared.testing.routes import calls

from ..engagement.journey import active_contract, expect, set_policy
from .inbox import notifications, told

PROBLEM = "application/problem+json"


async def notify_position(notify: RunningNotify) -> int:
    info = await notify.platform.js.stream_info(notify.platform.stream("notify").name)
    return int(info.state.last_seq)


async def test_a_notification_is_its_recipients_alone_and_reading_it_is_counted(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement)
    thread = f"/v1/contracts/{cast.contract_id}/messages"
    for body in ("First reply", "Second reply"):
        await expect(await engagement.client.post(thread, headers=cast.coach.headers,
                                                  json={"body": body}), 201)
    replies = await told(notify, cast.coachee, "coach_replied", count=2)
    api, mine = notify.client, replies[0]["id"]
    other_admin = await identity.organisation("Elsewhere")
    foreigner = await identity.member(other_admin, "coachee", name="Fran Foreign")
    for stranger in (foreigner, cast.sponsor, cast.coach):
        response = await api.post(f"/v1/notify/notifications/{mine}/read",
                                  headers=stranger.headers)
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == PROBLEM
        assert "reply" not in str(await notifications(notify, stranger))

    before = (await expect(await api.get("/v1/notify/notifications/unread-count",
                                         headers=cast.coachee.headers), 200))["unread"]
    read = await expect(await api.post(f"/v1/notify/notifications/{mine}/read",
                                       headers=cast.coachee.headers), 200)
    again = await expect(await api.post(f"/v1/notify/notifications/{mine}/read",
                                        headers=cast.coachee.headers), 200)
    assert again["position"] == read["position"]  # read once: reading again changes nothing
    count = await expect(await api.get("/v1/notify/notifications/unread-count",
                                       headers=cast.coachee.headers,
                                       params={"after": read["position"]}), 200)
    assert count == {"unread": before - 1, "fresh": True}
    unread = await notifications(notify, cast.coachee, unread="true", after=read["position"])
    assert mine not in {n["id"] for n in unread} and len(unread) == before - 1

    everything = await expect(await api.post("/v1/notify/notifications/read-all",
                                             headers=cast.coachee.headers), 200)
    assert everything["read"] == before - 1
    page = await expect(await api.get("/v1/notify/notifications", headers=cast.coachee.headers,
                                      params={"after": everything["position"], "limit": 1}),
                        200)
    assert page["unread"] == 0 and len(page["notifications"]) == 1 and page["next"]
    older = await notifications(notify, cast.coachee, before=page["next"])
    assert page["notifications"][0]["id"] not in {n["id"] for n in older}
    assert all(n["read"] for n in older + page["notifications"])


INBOX_ROUTES = ("/v1/notify/notifications", "/v1/notify/stream")


async def test_without_the_in_app_channel_the_inbox_is_closed_and_keeps_nothing(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement)
    thread = f"/v1/contracts/{cast.contract_id}/messages"
    await set_policy(identity, notify, cast.admin, {"notify.channels": ["email"]})
    sent = await expect(await engagement.client.post(
        thread, headers=cast.coach.headers, json={"body": "Sent while the inbox is off"}), 201)
    # the reply is still queued (for e-mail: the reactions have passed it, not the policy's
    # own notice to the admins), and the inbox has passed it by
    replies = notify.platform.stream("engagement").name
    assert await notify.app.state.waiter.wait("notify-engagement", replies, sent["position"],
                                              timeout=10)
    stream = notify.platform.stream("notify").name
    assert await notify.app.state.waiter.wait(VIEWS, stream, await notify_position(notify),
                                              timeout=10)
    inbox = [call for call in calls(notify.app) if call.template.startswith(INBOX_ROUTES)]
    assert inbox, "the inbox's routes were not found"
    for call in inbox:  # preferences and webhooks are not the inbox: they stay open
        response = await notify.client.request(call.method, call.url({"*": "n1"}),
                                               headers=cast.coachee.headers)
        assert response.status_code == 403, (call, response.text)
        assert response.json()["block"] == "notify.channels"

    await set_policy(identity, notify, cast.admin, {"notify.channels": ["in_app", "email"]})
    await expect(await engagement.client.post(thread, headers=cast.coach.headers,
                                              json={"body": "Sent once it is on again"}), 201)
    [reply] = await told(notify, cast.coachee, "coach_replied")
    assert reply["excerpt"] == "Sent once it is on again"


async def test_erasure_empties_the_persons_inbox(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement)
    await expect(await engagement.client.post(
        f"/v1/contracts/{cast.contract_id}/messages", headers=cast.coach.headers,
        json={"body": "A reply"}), 201)
    await told(notify, cast.coachee, "coach_replied")
    officer = await identity.member(cast.admin, "compliance_officer", name="Carla Compliance")
    await expect(await identity.client.post(
        f"/v1/organisations/{cast.admin.tenant_id}/erasures", headers=officer.headers,
        json={"subject_id": cast.coachee.user_id, "reason": "the person asked"}), 202)

    async def emptied() -> bool:
        held = await notify.platform.pool.fetchval(
            "SELECT count(*) FROM inbox WHERE tenant_id = $1 AND recipient_id = $2",
            cast.admin.tenant_id, cast.coachee.user_id)
        return held == 0

    await eventually(emptied, timeout=15, what="the forgotten person's inbox emptied")
    assert await notifications(notify, cast.coach)  # the coach's own inbox stays


async def test_bad_input_on_every_route_is_a_problem_never_a_500(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement)
    api, headers = notify.client, cast.coachee.headers
    for call in calls(notify.app):
        anonymous = await api.request(call.method, call.url({"*": "n1"}))
        assert anonymous.status_code == 401 and anonymous.headers["content-type"] == PROBLEM
        if call.params:  # webhooks are the org admin's: a coachee is refused before the id
            who = cast.admin.headers if "/webhooks" in call.template else headers
            odd = await api.request(call.method, call.url({"*": "x" * 65}), headers=who)
            assert odd.status_code == 422, (call, odd.text)
    for params in ({"limit": 0}, {"limit": 101}, {"before": -1}, {"before": "x"},
                   {"unread": "perhaps"}, {"after": -5}):
        response = await api.get("/v1/notify/notifications", headers=headers, params=params)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"] == PROBLEM
    for last in ("abc", "-1", "1" * 40):
        response = await api.get("/v1/notify/stream", headers={**headers, "Last-Event-ID": last})
        assert response.status_code == 422, (last, response.text)
    missing = await api.post("/v1/notify/notifications/n1/read", headers=headers)
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM


async def test_a_page_bound_past_what_is_stored_is_a_422_problem(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    # found by tests/fuzz/test_probes.py: PostgreSQL's bigint cannot hold the first, Python's
    # datetime cannot turn the others to UTC; each was a 500
    cast = await active_contract(identity, engagement)
    pages = [("/v1/notify/notifications", cast.coachee, {"before": str(2**63)})]
    pages += [("/v1/notify/webhooks/dead-letters", cast.admin, {"before": edge})
              for edge in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                           "0.5")]  # a number (the fuzzer's negative data, seed 5): not 1970
    for path, who, params in pages:
        response = await notify.client.get(path, headers=who.headers, params=params)
        assert response.status_code == 422, (path, params, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["errors"][0]["location"] == "query.before"


async def test_what_a_switched_off_feature_said_is_no_longer_shown_in_the_inbox(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    """Messages switched off: "no one can send or read messages". A reply told before stays in
    the inbox as what happened (its count, its line) but without what it said."""
    cast = await active_contract(identity, engagement)
    await expect(await engagement.client.post(
        f"/v1/contracts/{cast.contract_id}/messages", headers=cast.coach.headers,
        json={"body": "Bring your draft agenda"}), 201)
    [reply] = await told(notify, cast.coachee, "coach_replied")
    assert reply["excerpt"] == "Bring your draft agenda"
    await set_policy(identity, notify, cast.admin, {"messaging.enabled": False})

    async def withheld() -> bool:
        shown = [n for n in await notifications(notify, cast.coachee)
                 if n["id"] == reply["id"]]
        return shown == [reply | {"excerpt": None}]

    await eventually(withheld, timeout=10, what="the reply without its content")
