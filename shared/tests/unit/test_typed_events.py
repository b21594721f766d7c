"""A projection's decoded event keeps its sealed fields sealed: stored as they were written,
never readable in clear without a sealer."""

import json

import pytest

from interlude.shared.events import published
from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.projections.base import RecordedEvent
from interlude.shared.projections.sealed import kept
from interlude.shared.projections.typed import Reading, Sealed, SealedContentError, decode_sealed
from interlude.shared.sealing import Secret

SEALED = {"$sealed": 1, "sub": "u1", "ct": "AAAA"}


def _wire(type_, version, payload):
    return {"event_id": "e1", "type": type_, "schema_version": version, "payload": payload}


def test_a_sealed_field_is_decoded_still_sealed_and_kept_where_it_was_written():
    event = decode_sealed(published.identity, _wire(
        "identity.UserProvisioned", 1, {"user_id": "u1", "display_name": SEALED,
                                        "roles": ["coach"], "external_id": "in clear (v1)"}))
    assert isinstance(event, published.UserProvisioned) and event.roles == ("coach",)
    assert isinstance(event.display_name, Sealed) and event.display_name.subject == "u1"
    with pytest.raises(SealedContentError):
        event.display_name.reveal()
    assert json.loads(kept(event.display_name)) == {"event_id": "e1", "field": "display_name",
                                                    "sealed": SEALED}


def test_content_in_clear_is_never_kept():
    with pytest.raises(ValueError, match="not sealed"):
        kept(Secret("Ada", "u1"))
    assert kept(None) is None


def test_a_policy_version_that_is_not_an_integer_is_refused():
    with pytest.raises(ValueError):
        decode_sealed(published.identity, _wire("identity.SecurityPolicyChanged", 1,
                                                {"version": "3", "policy": {}}))


def test_projections_reading_the_same_registries_share_one_decoding():
    wire = _wire("identity.UserProvisioned", 1, {"user_id": "u1", "display_name": SEALED,
                                                 "roles": ["coach"]})
    event = RecordedEvent(wire, "IDENTITY", "identity.t.user.u1", 1, 0)
    first = event.decode(Reading([published.identity]))
    assert event.decode(Reading([published.identity])) is first
    assert event.decode(Reading([published.identity, EventRegistry()])) is not first


def test_sealed_values_inside_lists_and_objects_are_kept_bound_to_their_own_paths():
    registry = EventRegistry()

    @registry.event("test.Survey")
    class Survey(Event):
        answers: list[Secret]
        notes: dict[str, Secret | None]
        asked: list[str]

    event = decode_sealed(registry, _wire("test.Survey", 1, {
        "answers": [SEALED, {**SEALED, "ct": "BBBB"}], "notes": {"why": SEALED, "how": None},
        "asked": ["a", "b"]}))
    assert isinstance(event, Survey) and event.asked == ["a", "b"]
    assert [json.loads(kept(a))["field"] for a in event.answers] == ["answers.0", "answers.1"]
    assert json.loads(kept(event.answers[1]))["sealed"]["ct"] == "BBBB"
    assert json.loads(kept(event.notes["why"]))["field"] == "notes.why"
    assert event.notes["how"] is None
