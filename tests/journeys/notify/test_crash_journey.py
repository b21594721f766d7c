"""Killing notify's worker (its consumers and its senders) and the SMTP server in the middle of
a burst of messages: once they are back, every notification is e-mailed exactly once to its
recipient (one Message-ID, which receivers de-duplicate by) and recorded as delivered once."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.notify.testing import RunningNotify
from interlude.shared.eventstore.base import commit_wire
from interlude.shared.testing.eventually import eventually

from ..engagement.journey import active_contract, expect
from .inbox import told
from .outbound import sending


async def delivered(notify: RunningNotify, tenant_id: str) -> list[str]:
    """The ids of the notifications recorded as e-mailed, once per record."""
    js, stream = notify.platform.js, notify.platform.stream("notify")
    found = []
    for seq in range(1, (await js.stream_info(stream.name)).state.last_seq + 1):
        for wire in commit_wire((await js.get_msg(stream.name, seq)).data):
            if wire["type"] == "notify.NotificationDelivered" and \
                    wire["tenant_id"] == tenant_id and wire["payload"]["channel"] == "email":
                found.append(wire["aggregate_id"])
    return found


async def test_a_burst_survives_the_worker_and_the_smtp_server_being_killed(
        identity: RunningIdentity, engagement: RunningEngagement, notify: RunningNotify) -> None:
    cast = await active_contract(identity, engagement)
    thread = f"/v1/contracts/{cast.contract_id}/messages"

    async def burst(count: int, start: int) -> None:
        for n in range(start, start + count):
            await expect(await engagement.client.post(thread, headers=cast.coachee.headers,
                                                      json={"body": f"message {n}"}), 201)

    async with sending(notify) as mail:
        await burst(12, 0)
        await mail.arrived(cast.coach.email, count=2)
        await mail.stop_sending()          # the worker dies: its senders ...
        for runner in notify.runners:      # ... and its consumers, mid-batch
            await runner.stop()
        mail.smtp_down()
        await burst(8, 12)
        mail.smtp_up()
        for runner in notify.runners:
            await runner.start()
        mail.ahead = timedelta(minutes=5)  # the restarted worker outlives the dead one's leases
        mail.start_sending()
        received = await told(notify, cast.coach, "message_received", count=20)
        ids = [n["id"] for n in received]
        await mail.carried(*ids)

        async def recorded() -> bool:
            return set(ids) <= set(await delivered(notify, cast.admin.tenant_id))

        await eventually(recorded, timeout=20, what="every e-mail recorded as delivered")

    carried: dict[str, set[str]] = defaultdict(set)
    for message in mail.messages(cast.coach.email):
        for nid in str(message["X-Interlude-Notifications"]).split(","):
            carried[nid.strip()].add(str(message["Message-ID"]))
    assert all(len(carried[nid]) == 1 for nid in ids)
    records = await delivered(notify, cast.admin.tenant_id)
    assert all(records.count(nid) == 1 for nid in ids)
