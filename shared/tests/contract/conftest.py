from datetime import UTC, datetime

import nats
import pytest

from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.eventstore.jetstream import JetStreamEventStore
from interlude.shared.eventstore.memory import InMemoryEventStore
from interlude.shared.eventstore.streams import StreamSpec
from interlude.shared.testing.tally import registry


@pytest.fixture
def stream(namespace):
    return StreamSpec.for_service("tally", namespace)


@pytest.fixture(params=["memory", "jetstream"])
async def store(request, stream, nats_url):
    """The same suite runs against both stores."""
    if request.param == "memory":
        yield InMemoryEventStore()
        return
    nc = await nats.connect(nats_url)
    yield await JetStreamEventStore.open(nc, stream)
    await nc.drain()


@pytest.fixture
def codec():
    return EventCodec(registry)


@pytest.fixture
def ctx(tenant_id):
    return CommandContext(tenant_id=tenant_id, actor=Actor("u1", ("coach",)),
                          now=datetime(2026, 11, 22, tzinfo=UTC), correlation_id="req-1")
