"""identity, engagement, community, notify and audit running together, each with its own PostgreSQL
schema, on the test's own streams."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from interlude.audit.testing import RunningAudit, audit_settings, running_audit
from interlude.community.testing import RunningCommunity, community_settings, running_community
from interlude.engagement.testing import RunningEngagement, engagement_settings, running_engagement
from interlude.identity.testing import RunningIdentity, identity_settings, running_identity
from interlude.notify.testing import RunningNotify, notify_settings, running_notify
from interlude.shared.testing.plugin import own_schema


@pytest.fixture
async def identity(nats_url: str, postgres_dsn: str, namespace: str,
                   pg_schema: str) -> AsyncIterator[RunningIdentity]:
    async with running_identity(identity_settings(nats_url, postgres_dsn, namespace),
                                pg_schema) as running:
        yield running


def _secret(identity: RunningIdentity) -> str:
    assert identity.settings.master_secret is not None
    return identity.settings.master_secret.get_secret_value()


@pytest.fixture
async def engagement(identity: RunningIdentity, nats_url: str, postgres_dsn: str,
                     namespace: str) -> AsyncIterator[RunningEngagement]:
    settings = engagement_settings(nats_url, postgres_dsn, namespace, _secret(identity))
    async with own_schema(postgres_dsn, f"{namespace}_engagement") as schema, \
            running_engagement(settings, schema, identity.app) as running:
        yield running


@pytest.fixture
async def audit(identity: RunningIdentity, nats_url: str, postgres_dsn: str,
                namespace: str) -> AsyncIterator[RunningAudit]:
    # a person's export waits at most 2 s for the services a test does not run (each named)
    settings = audit_settings(nats_url, postgres_dsn, namespace, _secret(identity),
                              export_deadline_s=2.0)
    async with own_schema(postgres_dsn, f"{namespace}_audit") as schema, \
            running_audit(settings, schema, identity.app) as running:
        yield running


@pytest.fixture
async def community(identity: RunningIdentity, engagement: RunningEngagement, nats_url: str,
                    postgres_dsn: str, namespace: str) -> AsyncIterator[RunningCommunity]:
    settings = community_settings(nats_url, postgres_dsn, namespace, _secret(identity))
    async with own_schema(postgres_dsn, f"{namespace}_community") as schema, \
            running_community(settings, schema, identity.app) as running:
        yield running


@pytest.fixture
async def notify(identity: RunningIdentity, nats_url: str, postgres_dsn: str,
                 namespace: str) -> AsyncIterator[RunningNotify]:
    settings = notify_settings(nats_url, postgres_dsn, namespace, _secret(identity))
    async with own_schema(postgres_dsn, f"{namespace}_notify") as schema, \
            running_notify(settings, schema, identity.app) as running:
        yield running
