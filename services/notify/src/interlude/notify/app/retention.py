"""Notifications expire: a round removes, per organisation, what is older than its
``notify.retention_days`` (never longer than its ``data.retention_days``): inbox rows, read or
not; the records of e-mails sent, failed or cancelled; webhook deliveries done with
(delivered, dead-lettered, cancelled); timers fired or cancelled. What is still on its way (an
e-mail held for a digest, a delivery being retried) stays until it is done. Each organisation
where something went is reported as ``notify.NotificationsExpired`` (counts by kind, no content,
no one named), owed in the same transaction as the removal and appended by the outbound side's
appender (``owed_events``), so a crash loses neither.

The organisation's ``retention`` row says everything before ``expired_before`` is gone: the
inbox's rebuild and the outbox's replay keep nothing of that age again. NotificationQueued
events stay in notify's stream (the system of record; their content sealed under its owner's
key, which erasure shreds): only the read models forget them.

The job is one durable timer (``due_work``, kind ``retention``): claimed with a lease (one
replica runs a round; one that dies mid-way frees it when the lease runs out), then set due
again an interval later. A round keeps no state of its own: what is due follows from the rows'
age, so a round missed while notify was down is made up by the next."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import asyncpg
import orjson

from interlude.notify.adapters import due_work
from interlude.notify.projections.outbox import owe
from interlude.shared.policy import DEFAULT_POLICY, SecurityPolicy

log = logging.getLogger(__name__)
KIND = WORK_ID = "retention"
LEASE = timedelta(minutes=10)
EXPIRED = "notify.NotificationsExpired"


def retention_days(policy: SecurityPolicy) -> int:
    return min(policy.notify_retention_days, policy.data_retention_days)


@dataclass(frozen=True)
class Expired:
    """What one round removed of one organisation's."""

    tenant_id: str
    before: datetime
    retention_days: int
    inbox: dict[str, int] = field(default_factory=dict)
    email: int = 0
    webhook: int = 0
    timers: int = 0

    @property
    def anything(self) -> bool:
        return bool(self.inbox or self.email or self.webhook or self.timers)

    def payload(self) -> dict[str, object]:
        return {"before": self.before.isoformat(), "retention_days": self.retention_days,
                "inbox": self.inbox, "email": self.email, "webhook": self.webhook,
                "timers": self.timers}


async def _organisations(conn: asyncpg.Connection) -> list[tuple[str, SecurityPolicy]]:
    """Every organisation notify knows of, with its policy (the defaults where none is known
    yet: notify tells under them too)."""
    rows = await conn.fetch("SELECT tenant_id, policy::text AS policy FROM trust_policies"
                            " UNION ALL SELECT DISTINCT tenant_id, NULL FROM people p"
                            " WHERE NOT EXISTS (SELECT 1 FROM trust_policies o"
                            " WHERE o.tenant_id = p.tenant_id)")
    return [(r["tenant_id"], DEFAULT_POLICY if r["policy"] is None
             else SecurityPolicy.from_wire(orjson.loads(r["policy"]))) for r in rows]


# each organisation's cut-off ($1, $2), and what went, counted per organisation (and kind)
_CUT = "unnest($1::text[], $2::timestamptz[]) AS c(t, before)"
_REMOVE = {
    "inbox": f"DELETE FROM inbox x USING {_CUT} WHERE x.tenant_id = c.t"
             " AND x.occurred_at < c.before RETURNING x.tenant_id, x.kind",
    "email": f"DELETE FROM outbox x USING {_CUT} WHERE x.tenant_id = c.t"
             " AND x.queued_at < c.before AND x.status <> 'pending' RETURNING x.tenant_id",
    "webhook": f"DELETE FROM webhook_deliveries x USING {_CUT} WHERE x.tenant_id = c.t"
               " AND x.updated_at < c.before AND x.status IN ('delivered', 'dead', 'cancelled')"
               " RETURNING x.tenant_id",
    "timers": f"DELETE FROM due_work x USING {_CUT} WHERE x.tenant_id = c.t"
              " AND x.due_at < c.before AND x.kind <> 'retention'"
              " AND (x.done_at IS NOT NULL OR x.cancelled_at IS NOT NULL) RETURNING x.tenant_id"}


async def _removed(conn: asyncpg.Connection, what: str, tenants: list[str],
                   befores: list[datetime]) -> dict[tuple[str, str], int]:
    kind = "kind" if what == "inbox" else "''"
    return {(r["tenant_id"], r["kind"]): r["n"] for r in await conn.fetch(
        f"WITH gone AS ({_REMOVE[what]}) SELECT tenant_id, {kind} AS kind, count(*) AS n"
        " FROM gone GROUP BY 1, 2 ORDER BY 1, 2", tenants, befores)}


async def apply_retention(pool: asyncpg.Pool, now: datetime) -> list[Expired]:
    """One round, in one transaction: each organisation's notifications past its retention
    removed (a scan of each table, whatever the number of organisations: no index on the age
    slows the inbox's writes), and what went owed as the organisation's report."""
    async with pool.acquire() as conn:
        organisations = await _organisations(conn)
    days = {tenant: retention_days(policy) for tenant, policy in organisations}
    tenants, befores = list(days), [now - timedelta(days=d) for d in days.values()]
    async with pool.acquire() as conn, conn.transaction():
        gone = {what: await _removed(conn, what, tenants, befores) for what in _REMOVE}
        await conn.execute(
            f"INSERT INTO retention (tenant_id, expired_before, applied_at)"
            f" SELECT c.t, c.before, $3 FROM {_CUT} ON CONFLICT (tenant_id) DO UPDATE"
            " SET applied_at = excluded.applied_at,"
            " expired_before = greatest(retention.expired_before, excluded.expired_before)",
            tenants, befores, now)
        done = []
        for tenant, before in zip(tenants, befores, strict=True):
            expired = Expired(
                tenant, before, days[tenant],
                {k: n for (t, k), n in gone["inbox"].items() if t == tenant},
                *(sum(n for (t, _), n in gone[what].items() if t == tenant)
                  for what in ("email", "webhook", "timers")))
            if expired.anything:
                await owe(conn, key=f"retention:{tenant}:{now.isoformat()}", tenant_id=tenant,
                          aggregate="retention", aggregate_id=tenant, type=EXPIRED,
                          payload=expired.payload(), now=now)
                done.append(expired)
    if done:
        log.info("retention: notifications removed for %d organisations", len(done))
    return done


class Retention:
    """The job: a round whenever its timer is due, then due again ``interval`` later."""

    def __init__(self, pool: asyncpg.Pool, interval: timedelta,
                 clock: Callable[[], datetime]) -> None:
        self.pool, self.interval, self.clock = pool, interval, clock
        self._scheduled = False

    async def run_due(self) -> int:
        """A round if one is due (the first is due at once); how many organisations lost
        something. A round that fails (the database away) is tried again at the lease's end."""
        now = self.clock()
        try:
            if not self._scheduled:  # once for good: the row is due again after each round
                await due_work.schedule(self.pool, work_id=WORK_ID, tenant_id="", kind=KIND,
                                        due_at=now)
                self._scheduled = True
            if not await due_work.claim(self.pool, KIND, now=now, limit=1, lease=LEASE):
                return 0
            done = await apply_retention(self.pool, now)
            await due_work.again_at(self.pool, WORK_ID, now + self.interval)
        except (OSError, asyncpg.PostgresError) as err:
            log.warning("retention round failed (%s); trying again later", type(err).__name__)
            return 0
        return len(done)

