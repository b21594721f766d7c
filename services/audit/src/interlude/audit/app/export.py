"""Exports of an organisation's trail.

JSON Lines is verifiable offline: a ``keys`` line (the public keys, by key id), then every
``record`` (its exact canonical bytes as a string, its number and chain hash, and the columns
queries filter on, as stored), then every ``checkpoint`` the database holds (its exact signed
bytes and signature). Since all of it comes from the database, the offline verifier also takes
the checkpoints as published to JetStream, from elsewhere (``interlude-audit checkpoints``).
OCSF maps each record to an event class a SIEM understands: Authentication for sign-ins,
Entity Management for administration, API Activity for reads and changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from interlude.audit.adapters.witness import as_lines
from interlude.audit.chain.columns import COLUMNS
from interlude.audit.records import PURGED
from interlude.audit.tenancy import tenant_transaction
from interlude.audit.trail import stored_checkpoints, stored_records

ADMIN_PREFIXES = ("identity.Organisation", "identity.SecurityPolicy", "identity.User",
                  "identity.Role", "identity.Group", "identity.Scim", "identity.SingleSignOn",
                  "identity.Subject")


async def jsonl(pool: asyncpg.Pool, tenant_id: str,
                keys: list[dict[str, str]]) -> AsyncIterator[bytes]:
    async with tenant_transaction(pool, tenant_id, readonly=True) as conn:
        yield orjson.dumps({"type": "keys", "tenant_id": tenant_id, "keys": keys}) + b"\n"
        async for record in stored_records(conn, tenant_id, columns=True):
            yield orjson.dumps({"type": "record", "seq": record.seq,
                                "record": record.record_bytes.decode("utf-8"),
                                "chain_hash": record.chain_hash.hex(),
                                "columns": dict(zip(COLUMNS, record.columns or (),
                                                    strict=True))}) + b"\n"
        for line in as_lines(await stored_checkpoints(conn, tenant_id)):
            yield line


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


async def ocsf(pool: asyncpg.Pool, tenant_id: str) -> AsyncIterator[bytes]:
    async with tenant_transaction(pool, tenant_id, readonly=True) as conn:
        async for record in stored_records(conn, tenant_id):
            yield orjson.dumps(ocsf_event(record.seq, orjson.loads(record.record_bytes))) + b"\n"
