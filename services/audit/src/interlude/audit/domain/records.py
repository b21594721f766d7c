"""What an audit record says about an event: who, what, to whom, when, from where, with what
outcome, and where it came from. Never content: payload fields are not copied, sealed ones not
even as ciphertext. The data subjects of a domain event are the subjects its sealed fields are
sealed for, plus the few plain person-id fields events carry."""

from __future__ import annotations

from typing import Any

from interlude.shared.access import DENIED, READ
from interlude.shared.projections.base import RecordedEvent
from interlude.shared.sealing.sealer import is_sealed

RECORD_VERSION = 1
PURGED = "audit.RetentionPurged"  # the record a retention purge makes of itself
# plain payload fields that name a person (ids, never content)
PERSON_FIELDS = ("user_id", "subject_id", "coachee_id", "coach_id", "member_id", "author_id",
                 "sponsor_id", "recipient_id")


def data_subjects(payload: Any) -> list[str]:
    """Everyone an event is about: subjects of its sealed fields and its person-id fields."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if is_sealed(value):
            found.add(str(value["sub"]))
        elif isinstance(value, dict):
            for key, inner in value.items():
                if key in PERSON_FIELDS and isinstance(inner, str):
                    found.add(inner)
                else:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(payload)
    return sorted(found)


def target_of(event: RecordedEvent) -> tuple[str, str]:
    """(resource type, id): the aggregate of the subject ``<prefix>.<tenant>.<aggregate>.<id>``."""
    parts = event.subject.split(".")
    kind = parts[2] if len(parts) == 4 else "unknown"
    return kind, event.aggregate_id


def audit_fields(event: RecordedEvent) -> dict[str, Any]:
    """The record of ``event``, without its sequence number (the chain assigns it)."""
    wire = event.wire
    actor = wire.get("actor") or {}
    fields: dict[str, Any] = {
        "v": RECORD_VERSION,
        "tenant_id": event.tenant_id,
        "time": wire["occurred_at"],
        "actor": {"id": str(actor.get("id", "")), "roles": sorted(actor.get("roles") or []),
                  "kind": str(actor.get("kind", "user"))},
        "request_id": wire.get("correlation_id"),
        "source_address": wire.get("source_address"),
        "policy_version": wire.get("policy_version"),
        "source": {"event_id": wire["event_id"], "stream": event.stream,
                   "position": event.position, "index": event.index},
    }
    if event.type in (READ, DENIED):
        p = event.payload
        fields.update({
            "action": f"{p.get('service', 'unknown')}.{p.get('action', 'unknown')}",
            "target": {"type": str(p.get("resource_type", "")),
                       "id": str(p.get("resource_id", ""))},
            "data_subjects": sorted({*([p["data_subject"]] if p.get("data_subject") else []),
                                     *(p.get("data_subjects") or [])}),
            "outcome": "denied" if event.type == DENIED else "succeeded",
            "reason": p.get("reason"),
        })
    else:
        kind, target_id = target_of(event)
        fields.update({"action": event.type, "target": {"type": kind, "id": target_id},
                       "data_subjects": data_subjects(event.payload),
                       "outcome": "succeeded", "reason": None})
    return fields
