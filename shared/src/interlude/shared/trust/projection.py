"""The trust read model: every organisation's security policy and who may no longer use their
tokens, projected from identity's events into the consuming service's own schema.

``trust_users.valid_after`` is the time before which a user's tokens are refused (roles
revoked, account reactivated); ``deactivated`` refuses all of them; ``forgotten`` makes that
permanent. ``position`` is the stream position of the event that last changed a row: the
cache reloads only rows past the highest position it has seen.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg
import orjson

from interlude.shared.events import published
from interlude.shared.policy import SecurityPolicy
from interlude.shared.projections.base import Projection, RecordedEvent

POLICY_CHANGED = "identity.SecurityPolicyChanged"
USER_DEACTIVATED = "identity.UserDeactivated"
USER_REACTIVATED = "identity.UserReactivated"
ROLE_REVOKED = "identity.RoleRevoked"
SUBJECT_FORGOTTEN = "identity.SubjectForgotten"

SCHEMA = """
CREATE TABLE IF NOT EXISTS trust_policies (
    tenant_id text PRIMARY KEY,
    version bigint NOT NULL,
    policy jsonb NOT NULL,
    position bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS trust_policies_position ON trust_policies (position);
CREATE TABLE IF NOT EXISTS trust_users (
    tenant_id text NOT NULL,
    user_id text NOT NULL,
    deactivated boolean NOT NULL DEFAULT false,
    forgotten boolean NOT NULL DEFAULT false,
    valid_after timestamptz NOT NULL DEFAULT '-infinity',
    position bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX IF NOT EXISTS trust_users_position ON trust_users (position);
"""

_UPSERT_POLICY = """
INSERT INTO trust_policies AS p (tenant_id, version, policy, position)
VALUES ($1, $2, $3::jsonb, $4)
ON CONFLICT (tenant_id) DO UPDATE
SET version = excluded.version, policy = excluded.policy, position = excluded.position,
    updated_at = now()
WHERE p.version < excluded.version
"""

# $3 deactivated (NULL: unchanged), $4 forgotten (only ever set), $5 valid_after (only moves on)
_UPSERT_USER = """
INSERT INTO trust_users AS u (tenant_id, user_id, deactivated, forgotten, valid_after, position)
VALUES ($1, $2, coalesce($3, false), $4, coalesce($5, '-infinity'::timestamptz), $6)
ON CONFLICT (tenant_id, user_id) DO UPDATE
SET deactivated = u.forgotten OR excluded.forgotten OR coalesce($3, u.deactivated),
    forgotten = u.forgotten OR excluded.forgotten,
    valid_after = greatest(u.valid_after, excluded.valid_after),
    position = excluded.position, updated_at = now()
"""


async def ensure_tables(conn: asyncpg.Connection) -> None:
    """Create the trust tables if missing; concurrent starts are serialised by a lock."""
    # only where missing: IF NOT EXISTS still needs CREATE on the schema (audit_app has none)
    if await conn.fetchval("SELECT to_regclass('trust_policies') IS NOT NULL"
                           " AND to_regclass('trust_users') IS NOT NULL"):
        return
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(7231004)")
        await conn.execute(SCHEMA)


class TrustProjection(Projection):
    """Projects identity's policy and account events into ``trust_policies`` and
    ``trust_users``. Each service consumes identity's stream under its own durable name,
    ``<service>-trust``. Every other identity event is skipped."""

    tables = ("trust_policies", "trust_users")
    runs_in = "api"  # every API process may project it (one at a time): see trust.leader
    reads = (published.identity,)
    handles = (POLICY_CHANGED, USER_DEACTIVATED, USER_REACTIVATED, ROLE_REVOKED,
               SUBJECT_FORGOTTEN)

    def __init__(self, service: str) -> None:
        self.name = f"{service}-trust"  # type: ignore[misc]  # one per service, not per class
        super().__init__()

    async def on_security_policy_changed(self, conn: asyncpg.Connection,
                                         event: RecordedEvent) -> None:
        e = event.of(published.SecurityPolicyChanged)
        # validated now, so that a policy the cache could not read is dead-lettered here
        policy = SecurityPolicy.from_wire(e.policy)
        await conn.execute(_UPSERT_POLICY, event.tenant_id, e.version,
                           orjson.dumps(policy.to_wire()).decode(), event.position)

    async def _user(self, conn: asyncpg.Connection, event: RecordedEvent, user_id: str, *,
                    deactivated: bool | None = None, forgotten: bool = False,
                    valid_after: datetime | None = None) -> None:
        if not user_id:
            raise ValueError(f"{event.type} names no user")
        await conn.execute(_UPSERT_USER, event.tenant_id, user_id, deactivated, forgotten,
                           valid_after, event.position)

    async def on_user_deactivated(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._user(conn, event, event.of(published.UserDeactivated).user_id,
                         deactivated=True)

    async def on_user_reactivated(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        # tokens from before the deactivation stay refused: only new sign-ins work
        await self._user(conn, event, event.of(published.UserReactivated).user_id,
                         deactivated=False, valid_after=event.envelope.occurred_at)

    async def on_role_revoked(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        # older tokens carry the revoked role; the client refreshes and gets the new set
        await self._user(conn, event, event.of(published.RoleRevoked).user_id,
                         valid_after=event.envelope.occurred_at)

    async def on_subject_forgotten(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._user(conn, event, event.of(published.SubjectForgotten).subject_id,
                         deactivated=True, forgotten=True)
