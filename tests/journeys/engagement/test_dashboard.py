"""The coach dashboard: who needs attention first, fresh after a write, the same after a
rebuild as built event by event, and fed by the coachees' community activity."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.shared.events.envelope import Actor, Envelope
from interlude.shared.eventstore.base import encode_commit
from interlude.shared.ids import new_id
from interlude.shared.testing.eventually import eventually
from interlude.shared.testing.watch import worker_env

from .journey import expect, propose, sign_all


async def _community_event(engagement: RunningEngagement, tenant_id: str, event_type: str,
                           author_id: str) -> None:
    """What community publishes (its events are shared, its code is not)."""
    stream = engagement.platform.stream("community")
    envelope = Envelope(event_id=new_id(), type=event_type, schema_version=1, tenant_id=tenant_id,
                        aggregate_id=new_id(), occurred_at=datetime.now(UTC),
                        actor=Actor(author_id, ("coachee",)), correlation_id=new_id(),
                        causation_id=None, policy_version=1,
                        payload={"author_id": author_id, "space_id": "s1", "coach_id": "c1",
                                 "note": None})
    await engagement.platform.js.publish(stream.subject(tenant_id, "post", envelope.aggregate_id),
                                         encode_commit([envelope]), stream=stream.name)


async def test_the_dashboard_orders_by_attention_and_survives_a_rebuild(
        identity: RunningIdentity, engagement: RunningEngagement) -> None:
    api = engagement.client
    admin = await identity.organisation()
    coach = await identity.member(admin, "coach", name="Claire Coach")
    quiet = await identity.member(admin, "coachee", name="Quinn Quiet")
    waiting = await identity.member(admin, "coachee", name="Wanda Waiting")
    contracts = {}
    for person in (quiet, waiting):
        contracts[person.user_id] = await propose(engagement, coach, person)
        await sign_all(engagement, contracts[person.user_id], coach, person)

    wpath = f"/v1/contracts/{contracts[waiting.user_id]}"
    await expect(await api.post(f"{wpath}/check-ins", headers=waiting.headers,
                                json={"text": "hard day", "mood": 1}), 201)
    await expect(await api.post(f"{wpath}/goals", headers=waiting.headers,
                                json={"title": "speak up in meetings"}), 201)
    soon = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    await expect(await api.post(f"{wpath}/sessions", headers=coach.headers,
                                json={"starts_at": soon}), 201)
    last = await expect(await api.post(f"{wpath}/messages", headers=waiting.headers,
                                       json={"body": "are you there?"}), 201)
    await _community_event(engagement, admin.tenant_id, "community.PostPublished",
                           waiting.user_id)
    await _community_event(engagement, admin.tenant_id, "community.InsightPinned",
                           waiting.user_id)

    board = await expect(await api.get(f"/v1/dashboard?after={last['position']}",
                                       headers=coach.headers), 200)
    first, second = board["coachees"]
    assert first["coachee_name"] == "Wanda Waiting" and second["coachee_name"] == "Quinn Quiet"
    assert first["unanswered"] == 1 and first["checkins"] == 1 and first["streak"] == 1
    assert first["last_mood"] == 1 and "low mood in the last check-in" in first["reasons"]
    assert first["goals_open"] == 1 and first["sessions"]["planned"] == 6
    assert first["sessions"]["next_at"] is not None
    assert second["checkins"] == 0 and "no check-in yet" in second["reasons"]
    assert "hard day" not in str(board)  # facts, never content

    # the coach answers: the wait is over
    answer = await expect(await api.post(f"{wpath}/messages", headers=coach.headers,
                                         json={"body": "here"}), 201)
    board = await expect(await api.get(f"/v1/dashboard?after={answer['position']}",
                                       headers=coach.headers), 200)
    row = next(r for r in board["coachees"] if r["coachee_id"] == waiting.user_id)
    assert row["unanswered"] == 0 and row["oldest_waiting_at"] is None

    async def community_counted() -> bool:
        got = await expect(await api.get("/v1/dashboard", headers=coach.headers), 200)
        mine = next(r for r in got["coachees"] if r["coachee_id"] == waiting.user_id)
        return mine["community_this_week"] == 1 and mine["insights_pinned"] == 1

    await eventually(community_counted, timeout=5)

    fixed = datetime.now(UTC)
    engagement.app.state.engagement.clock = lambda: fixed
    incremental = await expect(await api.get("/v1/dashboard", headers=coach.headers), 200)
    for runner in engagement.runners:
        if runner.name in ("engagement-views", "engagement-dashboard-community"):
            await runner.rebuild(progress=lambda line: None)
    rebuilt = await expect(await api.get("/v1/dashboard", headers=coach.headers), 200)
    assert rebuilt == incremental

    # an operator's rebuild, after someone edited the read model by hand: the worker's own
    # command, refused while the worker runs, then run with the worker stopped
    refused, said = await rebuild_command(engagement, "engagement-views")
    assert refused == 3 and "worker is running" in said
    for runner in engagement.runners:
        await runner.stop()
    await engagement.platform.pool.execute("DELETE FROM dashboard_checkins")
    await engagement.platform.pool.execute("UPDATE dashboard SET checkins = 40, streak = 9")
    assert await expect(await api.get("/v1/dashboard", headers=coach.headers), 200) != rebuilt
    done, said = await rebuild_command(engagement, "engagement-views",
                                       "engagement-dashboard-community")
    assert done == 0 and "rebuilt engagement-views" in said, said
    assert await expect(await api.get("/v1/dashboard", headers=coach.headers), 200) == rebuilt


async def rebuild_command(engagement: RunningEngagement, *names: str) -> tuple[int, str]:
    """``python -m interlude.engagement.worker rebuild NAMES`` where the worker would run: its
    exit status and output (awaited: this test's event loop runs the worker's consumers)."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "interlude.engagement.worker", "rebuild", *names,
        env=worker_env(engagement.settings, engagement.schema), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(child.communicate(), timeout=120)
    return await child.wait(), out.decode()
