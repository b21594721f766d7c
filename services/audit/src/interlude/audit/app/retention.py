"""The retention purge: an organisation's records older than its retention
(``data.retention_days``) leave the trail, from the oldest end only.

In one transaction, with the organisation's head locked: the purge appends its own record
(``audit.RetentionPurged``: who, why, the retention and the new lower bound), signs a checkpoint
stating the new lower bound with the chain hash of the last record purged as its anchor, and
only then deletes, through ``audit_purge()`` (migration 0002), which refuses a bound that no
checkpoint states. So the trail still verifies afterwards, from its new lower bound, and the
purge itself is in it. Records are cut up to the first one still within the retention: an older
record after a younger one stays, and nothing is taken from the middle.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import orjson

from interlude.audit.app.checkpoints import Checkpointer
from interlude.audit.append import append, locked_head
from interlude.audit.chain.checkpoint import Checkpoint
from interlude.audit.records import PURGED, RECORD_VERSION
from interlude.audit.tenancy import tenant_transaction
from interlude.shared.events.envelope import Actor
from interlude.shared.policy import SecurityPolicy


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

    def public(self) -> dict[str, Any]:
        return {"purged": self.purged, "lower_bound": self.lower_bound, "record": self.record,
                "checkpoint": None if self.checkpoint is None else self.checkpoint.as_dict()}


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


async def known_retention(pool: asyncpg.Pool, tenant_id: str) -> tuple[int, int] | None:
    """(``data.retention_days``, policy version) of the organisation's security policy as this
    service knows it (the trust read model), or None when it knows none."""
    try:
        row = await pool.fetchrow("SELECT version, policy FROM trust_policies"
                                  " WHERE tenant_id = $1", tenant_id)
    except asyncpg.UndefinedTableError:  # audit has not run yet: it knows no policy
        return None
    if row is None:
        return None
    policy = SecurityPolicy.from_wire(orjson.loads(row["policy"]))
    return policy.data_retention_days, int(row["version"])


def older_than(purge: Purge, now: datetime) -> datetime:
    return now - timedelta(days=purge.retention_days)


async def purge(pool: asyncpg.Pool, signer: Checkpointer, purge: Purge) -> Purged:
    """Purge the organisation's records older than its retention; see the module's doc."""
    async with tenant_transaction(pool, purge.tenant_id) as conn:
        head = await locked_head(conn, purge.tenant_id)
        if head is None:
            return Purged(0, 1)
        now = datetime.now(UTC)  # read under the lock: checkpoints are issued in size order
        # the first record still within the retention: everything before it goes
        keep = await conn.fetchval(
            "SELECT seq FROM audit_records WHERE tenant_id = $1 AND seq >= $2"
            " AND occurred_at >= $3 ORDER BY seq LIMIT 1",
            purge.tenant_id, head.lower_bound, older_than(purge, now))
        lower = head.seq + 1 if keep is None else int(keep)
        if lower <= head.lower_bound:
            return Purged(0, head.lower_bound)
        anchor = await conn.fetchval("SELECT chain_hash FROM audit_records WHERE tenant_id = $1"
                                     " AND seq = $2", purge.tenant_id, lower - 1)
        head = await append(conn, purge.tenant_id, head,
                            [purge_record(purge, now, lower, head.lower_bound)])
        moved = replace(head, lower_bound=lower, anchor=bytes(anchor))
        signed = await signer.sign_in(conn, purge.tenant_id, moved, now, fresh=True)
        purged = await conn.fetchval("SELECT audit_purge($1)", lower)
    await signer.publish(signed)
    return Purged(int(purged), lower, head.seq, signed[0])

