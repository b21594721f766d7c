"""A contract's retention: once it ended longer ago than the retention its terms agreed, its
check-ins, messages, goals and experiments are gone from every read model and unreadable in
the stream (their key shredded), and ``ContractContentExpired`` says so; a contract still
within its retention, even the same coachee's, is untouched; the round is idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from interlude.engagement.testing import RunningEngagement
from interlude.engagement.wiring import retention
from interlude.identity.testing import RunningIdentity
from interlude.notify.testing import RunningNotify
from interlude.shared.events.envelope import Envelope
from interlude.shared.eventstore.base import decode_commit
from interlude.shared.testing.eventually import eventually

from ..notify.inbox import told
from .journey import active_contract, expect, propose, sign_all

CONTENT = ("checkins", "messages", "goals", "experiments")


async def fill(engagement: RunningEngagement, contract_id: str, coach: Any, coachee: Any,
               marker: str) -> int:
    api, path = engagement.client, f"/v1/contracts/{contract_id}"
    await expect(await api.post(f"{path}/check-ins", headers=coachee.headers,
                                json={"text": f"{marker} check-in"}), 201)
    await expect(await api.post(f"{path}/messages", headers=coachee.headers,
                                json={"body": f"{marker} message"}), 201)
    goal = await expect(await api.post(f"{path}/goals", headers=coachee.headers,
                                       json={"title": f"{marker} goal"}), 201)
    return int(goal["position"])


async def rows(engagement: RunningEngagement, contract_id: str) -> dict[str, int]:
    pool = engagement.platform.pool
    return {t: int(await pool.fetchval(f"SELECT count(*) FROM {t} WHERE contract_id = $1",
                                       contract_id)) for t in CONTENT}


async def events_of(engagement: RunningEngagement, contract_id: str) -> list[Envelope]:
    js, stream = engagement.platform.js, engagement.platform.stream("engagement")
    last = (await js.stream_info(stream.name)).state.last_seq
    found: list[Envelope] = []
    for seq in range(1, last + 1):
        message = await js.get_msg(stream.name, seq)
        found += [e for e in decode_commit(message.data)
                  if e.payload.get("contract_id") == contract_id or e.aggregate_id == contract_id]
    return found


async def test_a_contract_past_its_retention_loses_its_content_and_no_other_does(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement, retention_days=30)
    await fill(engagement, cast.contract_id, cast.coach, cast.coachee, "OLD")
    ended = await expect(await engagement.client.post(
        f"/v1/contracts/{cast.contract_id}/ending", headers=cast.coach.headers,
        json={"reason": "OLD reason for ending"}), 200)
    # a second contract of the same coachee, within its retention
    kept = await propose(engagement, cast.coach, cast.coachee, retention_days=365)
    await sign_all(engagement, kept, cast.coach, cast.coachee)
    last = await fill(engagement, kept, cast.coach, cast.coachee, "KEPT")
    await expect(await engagement.client.post(f"/v1/contracts/{kept}/ending",
                                              headers=cast.coach.headers,
                                              json={"reason": "KEPT reason for ending"}), 200)

    async def projected() -> bool:
        return await rows(engagement, kept) == {"checkins": 1, "messages": 1, "goals": 1,
                                                "experiments": 0}

    await eventually(projected, timeout=10)
    assert ended["position"] < last
    ended_at = await engagement.platform.pool.fetchval(
        "SELECT ended_at FROM contracts WHERE contract_id = $1", cast.contract_id)

    job = await retention(engagement.platform)
    assert await job.round(ended_at + timedelta(days=29)) == 0  # not yet
    assert await job.round(ended_at + timedelta(days=31)) == 1
    assert await job.round(ended_at + timedelta(days=31)) == 0  # once

    async def removed() -> bool:
        return await rows(engagement, cast.contract_id) == dict.fromkeys(CONTENT, 0)

    await eventually(removed, timeout=10)
    assert (await rows(engagement, kept))["checkins"] == 1
    # in the stream, the old contract's content no longer opens; the kept one's does
    sealer = engagement.platform.sealer
    for contract_id, erased in ((cast.contract_id, True), (kept, False)):
        posted = [e for e in await events_of(engagement, contract_id)
                  if e.type == "engagement.CheckInPosted"]
        [event] = posted
        opened = await sealer.open(event.payload["text"], tenant=event.tenant_id,
                                   event_id=event.event_id, field="text")
        assert opened.is_erased is erased
        # the reason the contract was ended is its content too
        [ending] = [e for e in await events_of(engagement, contract_id)
                    if e.type == "engagement.ContractEnded"]
        reason = await sealer.open(ending.payload["reason"], tenant=ending.tenant_id,
                                   event_id=ending.event_id, field="reason")
        assert reason.is_erased is erased
    [expired] = [e for e in await events_of(engagement, cast.contract_id)
                 if e.type == "engagement.ContractContentExpired"]
    assert expired.payload["retention_days"] == 30
    assert expired.payload["coachee_id"] == cast.coachee.user_id

    for party in (cast.coach, cast.coachee):  # both are told
        [notice] = await told(notify, party, "content_expired")
        assert notice["link"] == f"/contracts/{cast.contract_id}"

    # the parties still see the contract itself, with no content
    contract = await expect(await engagement.client.get(
        f"/v1/contracts/{cast.contract_id}", headers=cast.coachee.headers), 200)
    assert contract["status"] == "ended" and "OLD" not in str(contract)
