"""identity beside one or two engagement APIs on the test's own servers and streams."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest

from interlude.engagement.testing import RunningEngagement, engagement_settings, running_engagement
from interlude.identity.testing import RunningIdentity, identity_settings, running_identity
from interlude.shared.testing.plugin import own_schema


@pytest.fixture
async def identity(nats_url: str, postgres_dsn: str, namespace: str,
                   pg_schema: str) -> AsyncIterator[RunningIdentity]:
    async with running_identity(identity_settings(nats_url, postgres_dsn, namespace),
                                pg_schema) as running:
        yield running


@pytest.fixture
async def replicas(identity: RunningIdentity, nats_url: str, postgres_dsn: str,
                   namespace: str) -> AsyncIterator[tuple[RunningEngagement, RunningEngagement]]:
    """Two engagement API replicas (each with its own aggregate cache) on the same NATS and
    PostgreSQL schema, as behind a load balancer; the first also runs the worker."""
    assert identity.settings.master_secret is not None
    secret = identity.settings.master_secret.get_secret_value()
    settings = engagement_settings(nats_url, postgres_dsn, namespace, secret)
    async with contextlib.AsyncExitStack() as stack:
        schema = await stack.enter_async_context(
            own_schema(postgres_dsn, f"{namespace}_engagement"))
        first = await stack.enter_async_context(
            running_engagement(settings, schema, identity.app))
        second = await stack.enter_async_context(
            running_engagement(settings, schema, identity.app, with_worker=False))
        yield first, second
