"""What a retention purge is, and the record it makes of itself in the trail (see
``app.retention``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from interlude.audit.domain.checkpoint import Checkpoint
from interlude.audit.domain.records import PURGED, RECORD_VERSION
from interlude.shared.events.envelope import Actor


@dataclass(frozen=True)
class Purge:
    """Who purges which organisation's trail, why, and under which retention."""

    tenant_id: str
    actor: Actor
    reason: str
    retention_days: int
    policy_version: int | None = None
    request_id: str | None = None
    source_address: str | None = None


@dataclass(frozen=True)
class Purged:
    """What a purge did: ``purged`` records gone, the trail now starts at ``lower_bound``;
    ``record`` is the purge's own record number (None when there was nothing to purge)."""

    purged: int
    lower_bound: int
    record: int | None = None
    checkpoint: Checkpoint | None = None


def purge_record(purge: Purge, now: datetime, lower_bound: int,
                 previous_lower_bound: int) -> dict[str, Any]:
    """The purge's record in the trail, like any other (without ``seq``)."""
    actor = purge.actor
    return {
        "v": RECORD_VERSION, "tenant_id": purge.tenant_id, "time": now.isoformat(),
        "actor": {"id": actor.id, "roles": sorted(actor.roles), "kind": actor.kind},
        "request_id": purge.request_id, "source_address": purge.source_address,
        "policy_version": purge.policy_version,
        # the event id audit_purge() looks for: this purge recorded itself
        "source": {"event_id": f"retention-purge:{lower_bound}", "stream": "AUDIT",
                   "position": None, "index": 0},
        "action": PURGED, "target": {"type": "audit_trail", "id": purge.tenant_id},
        "data_subjects": [], "outcome": "succeeded", "reason": purge.reason,
        "purge": {"retention_days": purge.retention_days,
                  "older_than": older_than(purge, now).isoformat(), "lower_bound": lower_bound,
                  "previous_lower_bound": previous_lower_bound,
                  "records": lower_bound - previous_lower_bound},
    }


def older_than(purge: Purge, now: datetime) -> datetime:
    return now - timedelta(days=purge.retention_days)
