"""``NotificationQueued`` written straight to its envelope is what the codec writes: the same
wire shape, content sealed under the event's own id, and the codec decodes it back."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from interlude.notify.app import queuing
from interlude.notify.domain.events import NotificationQueued, QuietHours, registry
from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import CommandContext
from interlude.shared.sealing import InMemoryKeyStore, KeyRing, Sealer, Secret, is_sealed

AT = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
QUIET = QuietHours(start="22:00", end="07:30", time_zone="Europe/Paris")


def sealer() -> Sealer:
    return Sealer(KeyRing(InMemoryKeyStore(), bytes(range(32))))


async def test_it_matches_what_the_codec_writes_and_decodes_back() -> None:
    seal = sealer()
    codec = EventCodec(registry, seal)
    fields = dict(recipient_id="amira", kind="coach_replied", cause_id="e1",
                  cause_type="engagement.MessageSent", occurred_at=AT, actor_id="claire",
                  contract_id="c1", item_id="m1", link="/contracts/c1/thread",
                  quiet_hours=QUIET)
    written = await queuing.envelope(
        seal, tenant_id="t1", notification_id="n1", correlation_id="r1",
        excerpt=Secret("Well done", "amira"), **fields)
    event = NotificationQueued(excerpt=Secret("Well done", "amira"), **fields)
    ctx = CommandContext("t1", queuing.SYSTEM, AT, "r1", causation_id="e1")
    expected = copy.deepcopy((await codec.encode(event, ctx, "n1")).to_wire())
    wire = copy.deepcopy(written.to_wire())
    assert is_sealed(wire["payload"]["excerpt"]) and "Well done" not in str(wire)
    for sealed in (wire, expected):  # random nonces and ids: the rest must be equal
        sealed["payload"]["excerpt"] = sealed["payload"]["excerpt"]["sub"]
        del sealed["event_id"]
    assert wire == expected
    decoded = await codec.decode(written)
    assert decoded == NotificationQueued(excerpt=Secret("Well done", "amira"), **fields)
    assert decoded.excerpt is not None and decoded.excerpt.reveal() == "Well done"


async def test_without_content_or_quiet_hours_nothing_is_sealed() -> None:
    written = await queuing.envelope(
        sealer(), tenant_id="t1", notification_id="n2", cause_id="w1",
        cause_type="notify.Reminder", occurred_at=AT, correlation_id=None,
        recipient_id="claire", kind="session_tomorrow", link="/")
    payload = written.to_wire()["payload"]
    assert payload["topic"] is None and payload["excerpt"] is None
    assert payload["quiet_hours"] is None and written.causation_id == "w1"
