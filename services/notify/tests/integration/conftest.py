"""notify alone on real servers: its platform on the test's own streams and schema, its read
models migrated, its worker's consumers built (not started: a test drives them), and the other
services' events published by name and field, sealed, as those services publish them (notify's
own contracts of them encode them here; no other service's code is needed)."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from interlude.notify.projections import community_events as com
from interlude.notify.projections import engagement_events as eng
from interlude.notify.testing import notify_settings
from interlude.notify.wiring import MIGRATIONS, ensure_sources, runners
from interlude.shared.db import migrate
from interlude.shared.events import published
from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import Actor
from interlude.shared.events.registry import Event
from interlude.shared.kit import command_context, utc_now
from interlude.shared.policy.model import DEFAULT_POLICY
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, open_platform


@dataclass
class Alone:
    platform: Platform
    runners: dict[str, ProjectionRunner]

    async def community_event(self, tenant_id: str, aggregate: str, aggregate_id: str,
                              event: Event, actor: str = "someone",
                              at: datetime | None = None) -> str:
        """community's event on its stream, sealed as community seals it (as of ``at``, or
        now); its event id."""
        codec = EventCodec(com.community, self.platform.sealer)
        ctx = command_context(tenant_id, Actor(actor, ("coachee",)), at or utc_now())
        envelope = await codec.encode(event, ctx, aggregate_id)
        store = await self.platform.event_store("community")
        subject = self.platform.stream("community").subject(tenant_id, aggregate, aggregate_id)
        await store.append(subject, [envelope], expected_last_seq=None)
        return envelope.event_id

    async def engagement_event(self, tenant_id: str, contract_id: str, event: Event,
                               actor: str = "someone") -> None:
        """engagement's event on a contract's subject, sealed as engagement seals it."""
        codec = EventCodec(eng.engagement, self.platform.sealer)
        ctx = command_context(tenant_id, Actor(actor, ("coach",)), utc_now())
        envelope = await codec.encode(event, ctx, contract_id)
        store = await self.platform.event_store("engagement")
        subject = self.platform.stream("engagement").subject(tenant_id, "contract", contract_id)
        await store.append(subject, [envelope], expected_last_seq=None)

    async def identity_event(self, tenant_id: str, aggregate_id: str, event: Event) -> None:
        """identity's event on its stream (as :mod:`interlude.shared.events.published` reads it)."""
        codec = EventCodec(published.identity, self.platform.sealer)
        ctx = command_context(tenant_id, Actor.system("identity"), utc_now())
        envelope = await codec.encode(event, ctx, aggregate_id)
        store = await self.platform.event_store("identity")
        subject = self.platform.stream("identity").subject(tenant_id, "user", aggregate_id)
        await store.append(subject, [envelope], expected_last_seq=None)

    async def policy(self, tenant_id: str, **changes: Any) -> None:
        """The organisation's policy as notify's copy holds it (the API's trust cache keeps it)."""
        wire = DEFAULT_POLICY.to_wire() | changes
        await self.platform.pool.execute(
            "INSERT INTO trust_policies (tenant_id, version, policy, position)"
            " VALUES ($1, 1, $2::jsonb, 1) ON CONFLICT (tenant_id) DO UPDATE"
            " SET policy = excluded.policy", tenant_id, json.dumps(wire))

    async def inbox(self, tenant_id: str, recipient_id: str) -> list[dict[str, Any]]:
        rows = await self.platform.pool.fetch(
            "SELECT * FROM inbox WHERE tenant_id = $1 AND recipient_id = $2 ORDER BY seq",
            tenant_id, recipient_id)
        return [dict(r) for r in rows]

    async def queued(self) -> int:
        """NotificationQueued events in notify's stream."""
        info = await self.platform.js.stream_info(self.platform.stream("notify").name)
        return int(info.state.messages)


@pytest.fixture
async def alone(nats_url: str, postgres_dsn: str, namespace: str,
                pg_schema: str) -> AsyncIterator[Alone]:
    settings = notify_settings(nats_url, postgres_dsn, namespace, secrets.token_urlsafe(32))
    platform = await open_platform(settings, schema=pg_schema)
    try:
        async with platform.pool.acquire() as conn:
            await migrate(conn, MIGRATIONS)
        await ensure_sources(platform)
        yield Alone(platform, {r.name: r for r in await runners(platform)})
    finally:
        await platform.close()
