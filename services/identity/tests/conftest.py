from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from interlude.identity.testing import RunningIdentity, identity_settings, running_identity


@pytest.fixture
async def identity(nats_url: str, postgres_dsn: str, namespace: str,
                   pg_schema: str) -> AsyncIterator[RunningIdentity]:
    settings = identity_settings(nats_url, postgres_dsn, namespace)
    async with running_identity(settings, pg_schema) as running:
        yield running
