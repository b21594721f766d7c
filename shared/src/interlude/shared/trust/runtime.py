"""Wiring the trust cache into a service: one call in its lifespan, one on the way out.

    trust = await start_trust(platform.nc, platform.pool, service="community",
                              namespace=settings.stream_namespace, access=platform.access)
    ...
    await trust.stop()
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from nats.aio.client import Client as NATS

from interlude.shared.access import AccessRecorder
from interlude.shared.events.envelope import Actor
from interlude.shared.eventstore.streams import StreamSpec
from interlude.shared.policy import SecurityPolicy
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.trust.cache import TrustCache
from interlude.shared.trust.leader import SingleRunner
from interlude.shared.trust.projection import TrustProjection, ensure_tables


@dataclass
class Trust:
    """A running trust cache and, when this process leads, the projection feeding it."""

    cache: TrustCache
    runner: ProjectionRunner
    projector: SingleRunner | None

    def policy(self, tenant_id: str) -> SecurityPolicy | None:
        return self.cache.policy(tenant_id)

    def is_revoked(self, tenant_id: str, user_id: str, issued_at: datetime) -> bool:
        return self.cache.is_revoked(tenant_id, user_id, issued_at)

    async def enforce(self, tenant_id: str, key: str, *, actor: Actor | None = None,
                      action: str = "", resource_type: str = "",
                      resource_id: str = "") -> SecurityPolicy:
        """See :meth:`TrustCache.enforce`."""
        return await self.cache.enforce(tenant_id, key, actor=actor, action=action,
                                         resource_type=resource_type, resource_id=resource_id)

    async def enforce_choice(self, tenant_id: str, key: str, allowed: Collection[object], *,
                             actor: Actor | None = None, action: str = "",
                             resource_type: str = "", resource_id: str = "") -> SecurityPolicy:
        """See :meth:`TrustCache.enforce_choice`."""
        return await self.cache.enforce_choice(tenant_id, key, allowed, actor=actor,
                                                action=action, resource_type=resource_type,
                                                resource_id=resource_id)

    async def stop(self) -> None:
        if self.projector is not None:
            await self.projector.stop()
        await self.cache.stop()


def trust_runner(nc: NATS, pool: asyncpg.Pool, *, service: str, namespace: str = "",
                 deadletters: StreamSpec | None = None) -> ProjectionRunner:
    """The runner of the service's trust projection (``<service>-trust``, identity's stream
    into ``trust_policies`` and ``trust_users``): what its API runs, and what the worker's
    ``rebuild`` command rebuilds after someone edited those rows by hand."""
    return ProjectionRunner(
        TrustProjection(service), StreamSpec.for_service("identity", namespace), nc, pool,
        deadletters=deadletters or StreamSpec.for_service("deadletter", namespace),
        batch_size=100)


async def start_trust(nc: NATS, pool: asyncpg.Pool, *, service: str, namespace: str = "",
                      access: AccessRecorder | None = None,
                      deadletters: StreamSpec | None = None, project: bool = True,
                      poll_interval: float = 2.0) -> Trust:
    """Create the trust tables, load the cache and keep it fresh, and (``project``) project
    identity's stream into them under the durable consumer ``<service>-trust``.

    Every process of the service may pass ``project=True``: only one at a time runs the
    projection (a PostgreSQL advisory lock decides), the others take over if it goes away.
    Raises when PostgreSQL cannot be read at start: there would be nothing to enforce with.
    """
    async with pool.acquire() as conn:
        await ensure_tables(conn)
    runner = trust_runner(nc, pool, service=service, namespace=namespace,
                          deadletters=deadletters)
    cache = TrustCache(pool, access=access, poll_interval=poll_interval)
    await cache.start()
    projector = SingleRunner(runner, pool, retry=poll_interval) if project else None
    if projector is not None:
        await projector.start()
    return Trust(cache=cache, runner=runner, projector=projector)
