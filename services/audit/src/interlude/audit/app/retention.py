"""The retention purge: an organisation's records older than its retention
(``data.retention_days``) leave the trail, from the oldest end only.

In one transaction, with the organisation's head locked: the purge appends its own record
(``audit.RetentionPurged``: who, why, the retention and the new lower bound), signs a checkpoint
stating the new lower bound with the chain hash of the last record purged as its anchor, and
only then deletes, through ``audit_purge()`` (migration 0002), which refuses a bound that no
checkpoint states. So the trail still verifies afterwards, from its new lower bound, and the
purge itself is in it. Records are cut up to the first one still within the retention: an older
record after a younger one stays, and nothing is taken from the middle.

The worker runs the purge on a schedule for every organisation (``keep_retention``), removes
people's exports past their expiry in the same round, and reports each organisation where
something went as an ``audit.RetentionApplied`` event.
"""


from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime

import asyncpg

from interlude.audit.app.audit import Audit
from interlude.audit.app.checkpoints import Checkpointer
from interlude.audit.domain.retention import Purge, Purged, older_than, purge_record
from interlude.audit.projections import exports, queries
from interlude.audit.projections.chain import append, locked_head, purge_before
from interlude.audit.projections.tenancy import tenant_transaction
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.trust.cache import NO_POLICY, PolicyBlocked

__all__ = ["Purge", "Purged", "apply_retention", "keep_retention", "known_retention", "purge",
           "purge_as_asked"]
log = logging.getLogger(__name__)
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


SCHEDULED = "scheduled: records older than the organisation's data.retention_days"
Report = Callable[[str, Purged, int], Awaitable[None]]
"""(organisation, its purge, how many of its expired exports were removed)."""


async def apply_retention(pool: asyncpg.Pool, signer: Checkpointer,
                          report: Report | None = None) -> list[tuple[str, Purged, int]]:
    """One round of the retention job: people's exports past their expiry are removed, and
    every organisation whose policy this service knows has its records older than its
    ``data.retention_days`` purged (as a compliance officer's purge would, recording itself
    first); each organisation where something went is reported. The round holds no state of
    its own: what is due follows from the trail, the exports and the policy, so a round missed
    while the worker was down is made up by the next, and two rounds at once (two workers)
    remove things once, the second finding nothing due."""
    expired = await exports.expire(pool, datetime.now(UTC))
    done: list[tuple[str, Purged, int]] = []

    async def went(tenant: str, purged: Purged, removed: int) -> None:
        log.info("retention: %d audit records purged and %d expired exports removed for an"
                 " organisation", purged.purged, removed)
        if report is not None:
            await report(tenant, purged, removed)
        done.append((tenant, purged, removed))

    for tenant, days, version in await queries.known_policies(pool):
        purged = await purge(pool, signer, Purge(
            tenant_id=tenant, actor=Actor.system("audit"), reason=SCHEDULED,
            retention_days=days, policy_version=version))
        removed = expired.pop(tenant, 0)
        if purged.record is not None or removed:
            await went(tenant, purged, removed)
    for tenant, removed in sorted(expired.items()):  # exports of organisations without a policy
        await went(tenant, Purged(0, 0), removed)
    return done


async def keep_retention(pool: asyncpg.Pool, signer: Checkpointer, report: Report | None,
                         interval_s: float) -> None:
    """The retention job: a round at once (the worker's start), then one every
    ``interval_s``; a round that fails (the database away) is tried again at the next."""
    while True:
        try:
            await apply_retention(pool, signer, report)
        except (OSError, asyncpg.PostgresError) as err:
            log.warning("retention round failed (%s); trying again in %.0fs",
                        type(err).__name__, interval_s)
        await asyncio.sleep(interval_s)
