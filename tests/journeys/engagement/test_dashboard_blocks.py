"""A block removes its facts from the coach's dashboard entirely: not only the fields, but the
reasons and the attention score computed from them, and the block is named. Each coachee here
has facts of one feature only, beside one with none: with that feature switched off the two
lines must read the same."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.events.envelope import Actor, Envelope
from interlude.shared.eventstore.base import encode_commit
from interlude.shared.ids import new_id
from interlude.shared.testing.eventually import eventually

from .journey import expect, propose, set_policy, sign_all

FIELDS = {
    "checkins.enabled": {"checkins", "last_checkin_at", "streak", "small_wins", "last_mood",
                         "checkins_unacknowledged"},
    "messaging.enabled": {"unanswered", "oldest_waiting_at", "reply_overdue"},
    "community.enabled": {"community_this_week", "insights_pinned", "recent_insights"},
}
WORDS = {"checkins.enabled": ("check-in", "mood"), "messaging.enabled": ("message", "reply"),
         "community.enabled": ("community", "insight")}  # in no reason once blocked
ALL_ON = {key: True for key in FIELDS}


async def _coachee(identity: RunningIdentity, engagement: RunningEngagement, admin: Person,
                   coach: Person, name: str) -> tuple[Person, str]:
    coachee = await identity.member(admin, "coachee", name=name)
    contract_id = await propose(engagement, coach, coachee)
    await sign_all(engagement, contract_id, coach, coachee)
    return coachee, f"/v1/contracts/{contract_id}"


async def _in_community(engagement: RunningEngagement, tenant_id: str, event_type: str,
                        author: Person, coach: Person) -> None:
    """What community publishes when ``author`` posts or ``coach`` pins their post (its events
    are shared, its code is not); a pin's note is sealed in community, absent here."""
    stream = engagement.platform.stream("community")
    envelope = Envelope(event_id=new_id(), type=event_type, schema_version=1, tenant_id=tenant_id,
                        aggregate_id=new_id(), occurred_at=datetime.now(UTC),
                        actor=Actor(author.user_id, ("coachee",)), correlation_id=new_id(),
                        causation_id=None, policy_version=1,
                        payload={"author_id": author.user_id, "space_id": "s1",
                                 "coach_id": coach.user_id, "note": None})
    await engagement.platform.js.publish(stream.subject(tenant_id, "post", envelope.aggregate_id),
                                         encode_commit([envelope]), stream=stream.name)


async def _board(engagement: RunningEngagement, coach: Person,
                 after: int = 0) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    board = await expect(await engagement.client.get(f"/v1/dashboard?after={after}",
                                                     headers=coach.headers), 200)
    return board, {row["coachee_name"]: row for row in board["coachees"]}


async def test_a_blocked_feature_moves_neither_the_score_nor_the_reasons(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    api = engagement.client
    admin = await identity.organisation()
    coach = await identity.member(admin, "coach")
    people = {name: await _coachee(identity, engagement, admin, coach, name)
              for name in ("Quiet", "Checks in", "Writes", "Posts")}
    await expect(await api.post(f"{people['Checks in'][1]}/check-ins",
                                headers=people["Checks in"][0].headers,
                                json={"text": "a hard week", "mood": 1}), 201)
    written = await expect(await api.post(f"{people['Writes'][1]}/messages",
                                          headers=people["Writes"][0].headers,
                                          json={"body": "are you there?"}), 201)
    for kind in ("community.PostPublished", "community.InsightPinned"):
        await _in_community(engagement, admin.tenant_id, kind, people["Posts"][0], coach)

    async def all_counted() -> bool:
        _, rows = await _board(engagement, coach, written["position"])
        return rows["Posts"]["community_this_week"] == 1 and rows["Posts"]["recent_insights"] != []

    await eventually(all_counted, timeout=5)
    _, rows = await _board(engagement, coach)
    assert rows["Checks in"]["reasons"] != rows["Quiet"]["reasons"]  # the facts count when on
    assert "1 unanswered message" in rows["Writes"]["reasons"]

    for key, name in (("checkins.enabled", "Checks in"), ("messaging.enabled", "Writes"),
                      ("community.enabled", "Posts")):
        await set_policy(identity, engagement, admin, ALL_ON | {key: False})
        board, rows = await _board(engagement, coach)
        assert board["blocked"] == [key]
        for row in board["coachees"]:
            assert not FIELDS[key] & set(row), (key, row)
            assert not [r for r in row["reasons"] for word in WORDS[key] if word in r], row
        line, quiet = rows[name], rows["Quiet"]
        assert (line["attention"], line["reasons"]) == (quiet["attention"], quiet["reasons"]), key
