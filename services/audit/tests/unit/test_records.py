"""What an audit record keeps of an event: who, what, to whom, the outcome; never content."""

from __future__ import annotations

from typing import Any

from interlude.audit.domain.records import audit_fields
from interlude.shared.access import DENIED, READ
from interlude.shared.projections.base import RecordedEvent

SEALED = {"$sealed": 1, "sub": "coachee-1", "kid": "k", "n": "bm9uY2U", "ct": "c2VjcmV0"}


def event(type_: str, payload: dict[str, Any]) -> RecordedEvent:
    wire = {"event_id": "e1", "type": type_, "schema_version": 1, "tenant_id": "t1",
            "aggregate_id": "a1", "occurred_at": "2026-11-22T09:00:00+00:00",
            "actor": {"id": "coach-1", "roles": ["coach"], "kind": "user"},
            "correlation_id": "req-1", "causation_id": None, "policy_version": 4,
            "payload": payload, "source_address": "10.0.0.7"}
    return RecordedEvent(wire, "ENGAGEMENT", "engagement.t1.checkin.a1", 7, 0)


def test_a_domain_event_names_its_subjects_and_copies_no_content() -> None:
    fields = audit_fields(event("engagement.CheckInPosted",
                                {"coachee_id": "coachee-2", "text": SEALED, "mood": 2}))
    assert fields["data_subjects"] == ["coachee-1", "coachee-2"]
    assert (fields["action"], fields["target"], fields["outcome"]) == (
        "engagement.CheckInPosted", {"type": "checkin", "id": "a1"}, "succeeded")
    assert "c2VjcmV0" not in str(fields) and "mood" not in str(fields)


def test_a_read_of_several_peoples_content_names_each_of_them() -> None:
    fields = audit_fields(event(READ, {
        "service": "community", "action": "read", "resource_type": "feed",
        "resource_id": "space-1", "data_subject": None,
        "data_subjects": ["member-2", "member-1", "member-2"], "reason": None}))
    assert fields["data_subjects"] == ["member-1", "member-2"]
    assert (fields["action"], fields["outcome"]) == ("community.read", "succeeded")


def test_a_denial_keeps_the_block_and_the_policy_version() -> None:
    fields = audit_fields(event(DENIED, {
        "service": "engagement", "action": "send_message", "resource_type": "contract",
        "resource_id": "c1", "data_subject": "coachee-1", "reason": "messaging.enabled"}))
    assert (fields["outcome"], fields["reason"], fields["policy_version"]) == (
        "denied", "messaging.enabled", 4)
    assert fields["data_subjects"] == ["coachee-1"]
