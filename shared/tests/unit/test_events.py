"""The pure parts of events: registry, upcasting, the codec with sealing, subjects."""

import logging
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import Actor, CommandContext, Envelope
from interlude.shared.events.registry import Event, EventRegistry, UnknownEventType
from interlude.shared.eventstore.base import decode_commit, encode_commit, message_id
from interlude.shared.eventstore.streams import StreamSpec
from interlude.shared.logs import JsonFormatter
from interlude.shared.projections.base import handler_name
from interlude.shared.sealing import InMemoryKeyStore, KeyRing, Sealer, SealError, Secret

registry = EventRegistry()


@registry.event("test.Journaled", version=2)
class Journaled(Event):
    body: Secret
    tags: tuple[str, ...] = ()


@registry.upcaster("test.Journaled", from_version=1)
def _rename_text_to_body(payload: dict) -> dict:
    return {"body": payload["text"], "tags": ()}


@registry.event("test.Priced")
class Priced(Event):
    amount: Decimal


CTX = CommandContext(tenant_id="t1", actor=Actor("u1", ("coachee",)),
                     now=datetime(2026, 11, 22, tzinfo=UTC), correlation_id="c1")


@pytest.fixture
def codec():
    return EventCodec(registry, Sealer(KeyRing(InMemoryKeyStore(), b"k" * 32)))


async def test_sealed_fields_round_trip_and_never_appear_in_the_wire_payload(codec):
    event = Journaled(body=Secret("dear diary", "u1"), tags=("a",))
    envelope = await codec.encode(event, CTX, "j1")
    assert "dear diary" not in encode_commit([envelope]).decode()
    decoded = await codec.decode(decode_commit(encode_commit([envelope]))[0])
    assert decoded.body.reveal() == "dear diary" and decoded.tags == ("a",)


async def test_an_upcaster_may_move_a_sealed_field(codec):
    current = await codec.encode(Journaled(body=Secret("old words", "u1")), CTX, "j1")
    old = Envelope(**{**{f: getattr(current, f) for f in current.__slots__},
                      "schema_version": 1, "payload": {"text": current.payload["body"]}})
    # sealed under the path "body" but stored at "text": opening binds to the wire path
    with pytest.raises(SealError):
        await codec.decode(old)
    sealed_at_text = await codec.sealer.seal(Secret("old words", "u1"), tenant="t1",
                                             event_id=current.event_id, field="text")
    old = Envelope(**{**{f: getattr(old, f) for f in old.__slots__},
                      "payload": {"text": sealed_at_text}})
    assert (await codec.decode(old)).body.reveal() == "old words"


async def test_values_json_cannot_carry_are_refused_before_anything_is_stored(codec):
    with pytest.raises(TypeError, match="Decimal"):
        await codec.encode(Priced(amount=Decimal("1.5")), CTX, "p1")


async def test_a_confidential_field_without_a_sealer_is_refused():
    with pytest.raises(RuntimeError, match="no sealer"):
        await EventCodec(registry).encode(Journaled(body=Secret("x", "u1")), CTX, "j1")


def test_unknown_and_future_versions_are_named():
    with pytest.raises(UnknownEventType, match=r"test\.Nope"):
        registry.build("test.Nope", 1, {})
    with pytest.raises(UnknownEventType, match="newer than this code"):
        registry.build("test.Journaled", 3, {})


def test_an_event_type_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="twice"):
        registry.event("test.Priced")(type("Again", (Event,), {"__annotations__": {}}))


def test_subjects_refuse_tokens_that_would_escape_their_place():
    stream = StreamSpec.for_service("engagement")
    assert stream.subject("t1", "contract", "c1") == "engagement.t1.contract.c1"
    for bad in ("a.b", "*", ">", "a b", ""):
        with pytest.raises(ValueError):
            stream.subject(bad, "contract", "c1")


def test_message_ids_are_stable_per_subject_and_key_and_ascii():
    assert message_id("s.1", "k") == message_id("s.1", "k") != message_id("s.2", "k")
    assert message_id("s.1", "ключ").isascii()
    assert message_id("s.1", None) != message_id("s.1", None)


def test_handler_names_follow_the_event_name():
    assert handler_name("engagement.CheckInPosted") == "on_check_in_posted"


def test_log_lines_are_json_and_show_secrets_masked():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "got %s", (Secret("hidden", "u"),),
                               None)
    line = JsonFormatter("engagement").format(record)
    assert '"service": "engagement"' in line and "hidden" not in line and "***" in line
