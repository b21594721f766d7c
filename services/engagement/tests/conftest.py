from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from interlude.engagement.testing import RunningEngagement, engagement_settings, running_engagement
from interlude.identity.testing import RunningIdentity, identity_settings, running_identity
from interlude.shared.testing.plugin import own_schema


@pytest.fixture
async def identity(nats_url: str, postgres_dsn: str, namespace: str,
                   pg_schema: str) -> AsyncIterator[RunningIdentity]:
    settings = identity_settings(nats_url, postgres_dsn, namespace)
    async with running_identity(settings, pg_schema) as running:
        yield running


@pytest.fixture
async def engagement_schema(postgres_dsn: str, namespace: str) -> AsyncIterator[str]:
    """engagement's own schema beside identity's: services never share tables."""
    async with own_schema(postgres_dsn, f"{namespace}_engagement") as schema:
        yield schema


@pytest.fixture
async def engagement(identity: RunningIdentity, nats_url: str, postgres_dsn: str,
                     namespace: str, engagement_schema: str) -> AsyncIterator[RunningEngagement]:
    assert identity.settings.master_secret is not None
    settings = engagement_settings(nats_url, postgres_dsn, namespace,
                                   identity.settings.master_secret.get_secret_value())
    async with running_engagement(settings, engagement_schema, identity.app) as running:
        yield running
