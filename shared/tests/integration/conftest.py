from datetime import UTC, datetime

import nats
import pytest

from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.eventstore.jetstream import JetStreamEventStore
from interlude.shared.eventstore.streams import StreamSpec, ensure_stream
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.testing.tally import TALLY_SCHEMA, Counted, TallyProjection, registry


class Tallies:
    """A stream of tallies, a read model of their totals, and ways to feed and run it."""

    def __init__(self, nc, store, pool, deadletters, tenant):
        self.nc, self.store, self.pool, self.deadletters = nc, store, pool, deadletters
        self.codec = EventCodec(registry)
        self.ctx = CommandContext(tenant_id=tenant, actor=Actor("u1"),
                                  now=datetime(2026, 11, 22, tzinfo=UTC), correlation_id="c1")

    async def count(self, aggregate_id: str, *values: int) -> int:
        envelopes = [await self.codec.encode(Counted(by=v), self.ctx, aggregate_id) for v in values]
        subject = self.store.stream.subject(self.ctx.tenant_id, "tally", aggregate_id)
        return (await self.store.append(subject, envelopes, expected_last_seq=None)).position

    def runner(self, projection=None, **options) -> ProjectionRunner:
        return ProjectionRunner(projection or TallyProjection(), self.store.stream, self.nc,
                                self.pool, deadletters=self.deadletters, **options)

    async def totals(self) -> dict[str, tuple[int, int]]:
        rows = await self.pool.fetch("SELECT aggregate_id, total, events FROM tally_totals")
        return {r["aggregate_id"]: (r["total"], r["events"]) for r in rows}


@pytest.fixture
async def tallies(nats_url, pg_pool, namespace, tenant_id):
    nc = await nats.connect(nats_url)
    store = await JetStreamEventStore.open(nc, StreamSpec.for_service("tally", namespace))
    deadletters = StreamSpec.for_service("deadletter", namespace)
    await ensure_stream(nc.jetstream(), deadletters)
    await pg_pool.execute(TALLY_SCHEMA)
    yield Tallies(nc, store, pg_pool, deadletters, tenant_id)
    await nc.drain()
