"""An audit record as an OCSF 1.x event, the form a SIEM understands: Authentication for
sign-ins, Entity Management for administration, API Activity for reads and changes. No content:
the record holds none."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from interlude.audit.domain.columns import COLUMNS
from interlude.audit.domain.model import StoredRecord
from interlude.audit.domain.records import PURGED

ADMIN_PREFIXES = ("identity.Organisation", "identity.SecurityPolicy", "identity.User",
                  "identity.Role", "identity.Group", "identity.Scim", "identity.SingleSignOn",
                  "identity.Subject")



def ocsf_event(seq: int, record: dict[str, Any]) -> dict[str, Any]:
    """One record as an OCSF 1.x event (no content: the record holds none)."""
    action, denied = record["action"], record["outcome"] == "denied"
    if action.endswith(".login"):
        class_uid, category_uid, activity_id, name = 3002, 3, 1, "Authentication"
    elif action.startswith(ADMIN_PREFIXES):
        class_uid, category_uid, activity_id, name = 3004, 3, 99, "Entity Management"
    elif action == PURGED:
        class_uid, category_uid, activity_id, name = 6003, 6, 4, "API Activity"  # Delete
    else:
        reading = record["action"].startswith(("access.", "engagement.read", "audit.")) \
            or action.rsplit(".", 1)[-1] in ("read", "list", "query", "export", "verify")
        class_uid, category_uid, activity_id, name = 6003, 6, 2 if reading else 3, \
            "API Activity"
    millis = int(datetime.fromisoformat(record["time"]).timestamp() * 1000)
    return {
        "class_uid": class_uid, "class_name": name, "category_uid": category_uid,
        "activity_id": activity_id, "type_uid": class_uid * 100 + activity_id, "time": millis,
        "severity_id": 3 if denied else 1, "status_id": 2 if denied else 1,
        "status": "Failure" if denied else "Success", "status_detail": record.get("reason"),
        "actor": {"user": {"uid": record["actor"]["id"], "type": record["actor"]["kind"],
                           "groups": [{"name": r} for r in record["actor"]["roles"]]}},
        "src_endpoint": {"ip": record.get("source_address")},
        "api": {"operation": action, "request": {"uid": record.get("request_id")}},
        "resources": [{"type": record["target"]["type"], "uid": record["target"]["id"]}],
        "metadata": {"version": "1.3.0", "uid": record["source"]["event_id"],
                     "sequence": seq, "tenant_uid": record["tenant_id"],
                     "product": {"name": "Interlude", "vendor_name": "Interlude",
                                 "feature": {"name": "audit"}}},
        "unmapped": {"data_subjects": record["data_subjects"],
                     "policy_version": record.get("policy_version")},
    }


def ocsf_of(record: StoredRecord) -> dict[str, Any]:
    """A stored record (read with its columns) as an OCSF event. Bytes a superuser made into
    something that is no audit record still give an event, from the columns queries filter on,
    marked ``unmapped.unreadable``: an export never stops short at them."""
    try:
        return ocsf_event(record.seq, orjson.loads(record.record_bytes))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        reason = f"{type(error).__name__}: {error}"
    if record.columns is None:
        raise ValueError(f"record {record.seq} is not an audit record ({reason})")
    column = dict(zip(COLUMNS, record.columns, strict=True))
    fields = {"tenant_id": column["tenant_id"], "time": column["occurred_at"].isoformat(),
              "actor": {"id": column["actor_id"], "kind": None, "roles": []},
              "action": column["action"], "outcome": column["outcome"],
              "target": {"type": column["target_type"], "id": column["target_id"]},
              "data_subjects": list(column["data_subjects"]),
              "source": {"event_id": column["event_id"]}}
    event = ocsf_event(record.seq, fields)
    event["unmapped"]["unreadable"] = (
        f"record {record.seq}'s stored bytes are not an audit record ({reason}): they were "
        f"changed in the database; this event is made from its queryable columns")
    return event
