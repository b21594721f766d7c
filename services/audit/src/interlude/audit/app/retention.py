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

from dataclasses import replace
from datetime import UTC, datetime

import asyncpg

from interlude.audit.app.audit import Audit
from interlude.audit.app.checkpoints import Checkpointer
from interlude.audit.domain.retention import Purge, Purged, older_than, purge_record
from interlude.audit.projections import queries
from interlude.audit.projections.chain import append, locked_head, purge_before
from interlude.audit.projections.tenancy import tenant_transaction
from interlude.shared.events.envelope import CommandContext
from interlude.shared.trust.cache import NO_POLICY, PolicyBlocked

__all__ = ["Purge", "Purged", "known_retention", "purge", "purge_as_asked"]
known_retention = queries.known_retention


async def purge_as_asked(audit: Audit, ctx: CommandContext, reason: str) -> Purged:
    """A compliance officer's purge, under the retention of the organisation's policy as this
    service knows it (none known: refused, as every block is). A purge that finds nothing to
    purge leaves no record of itself, so the call is recorded as an access instead."""
    policy = audit.policy.policy(ctx.tenant_id)
    if policy is None:
        raise PolicyBlocked("data.retention_days", ctx.tenant_id, None, NO_POLICY)
    done = await purge(audit.pool, audit.signer, Purge(
        tenant_id=ctx.tenant_id, actor=ctx.actor, reason=reason,
        retention_days=policy.data_retention_days,
        policy_version=audit.policy_version(ctx.tenant_id), request_id=ctx.correlation_id,
        source_address=ctx.source_address))
    if done.record is None:
        await audit.record_trail_access(ctx, "purge")
    return done


async def purge(pool: asyncpg.Pool, signer: Checkpointer, purge: Purge) -> Purged:
    """Purge the organisation's records older than its retention; see the module's doc."""
    async with tenant_transaction(pool, purge.tenant_id) as conn:
        head = await locked_head(conn, purge.tenant_id)
        if head is None:
            return Purged(0, 1)
        now = datetime.now(UTC)  # read under the lock: checkpoints are issued in size order
        # the first record still within the retention: everything before it goes
        keep = await queries.first_kept(conn, purge.tenant_id, head.lower_bound,
                                        older_than(purge, now))
        lower = head.seq + 1 if keep is None else keep
        if lower <= head.lower_bound:
            return Purged(0, head.lower_bound)
        anchor = await queries.chain_hash_at(conn, purge.tenant_id, lower - 1)
        head = await append(conn, purge.tenant_id, head,
                            [purge_record(purge, now, lower, head.lower_bound)])
        moved = replace(head, lower_bound=lower, anchor=anchor)
        signed = await signer.sign_in(conn, purge.tenant_id, moved, now, fresh=True)
        purged = await purge_before(conn, lower)
    await signer.publish(signed)
    return Purged(purged, lower, head.seq, signed[0])
