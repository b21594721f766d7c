"""community alone on real servers: its platform on the test's own streams and schema, its
read models migrated, its application object with a policy that allows everything, and
engagement's contracts as community reads them (events published by name and field, as
engagement publishes them)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from interlude.community.app.deps import Community
from interlude.community.testing import community_settings
from interlude.community.wiring import MIGRATIONS, build_community, ensure_sources, runners
from interlude.shared.db import migrate
from interlude.shared.events.envelope import Actor, Envelope
from interlude.shared.eventstore.base import AppendResult
from interlude.shared.ids import new_id
from interlude.shared.policy import SecurityPolicy
from interlude.shared.policy.model import DEFAULT_POLICY
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, open_platform


class AllowAll:
    """An organisation whose policy allows every block (policy is not what these test)."""

    async def enforce(self, tenant_id: str, key: str, **_: Any) -> SecurityPolicy:
        return DEFAULT_POLICY

    async def enforce_choice(self, tenant_id: str, key: str, allowed: Collection[object],
                             **_: Any) -> SecurityPolicy:
        return DEFAULT_POLICY

    def policy(self, tenant_id: str) -> SecurityPolicy | None:
        return DEFAULT_POLICY


@dataclass
class Alone:
    platform: Platform
    deps: Community
    runners: dict[str, ProjectionRunner]

    async def engagement_event(self, tenant_id: str, contract_id: str, name: str,
                               **payload: Any) -> tuple[Envelope, AppendResult]:
        """engagement's ``engagement.<name>`` on a contract, on engagement's stream."""
        envelope = Envelope(
            event_id=new_id(), type=f"engagement.{name}", schema_version=1,
            tenant_id=tenant_id, aggregate_id=contract_id, occurred_at=datetime.now(UTC),
            actor=Actor.system("engagement"), correlation_id=new_id(), causation_id=None,
            policy_version=None, payload=payload)
        store = await self.platform.event_store("engagement")
        subject = self.platform.stream("engagement").subject(tenant_id, "contract",
                                                             contract_id)
        return envelope, await store.append(subject, [envelope], expected_last_seq=None)


@pytest.fixture
async def alone(nats_url: str, postgres_dsn: str, namespace: str,
                pg_schema: str) -> AsyncIterator[Alone]:
    settings = community_settings(nats_url, postgres_dsn, namespace, secrets.token_urlsafe(32))
    platform = await open_platform(settings, schema=pg_schema)
    try:
        async with platform.pool.acquire() as conn:
            await migrate(conn, MIGRATIONS)
        await ensure_sources(platform)
        deps = await build_community(platform, settings, AllowAll())
        yield Alone(platform, deps, {r.name: r for r in await runners(platform)})
    finally:
        await platform.close()
