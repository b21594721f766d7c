"""Builds engagement's parts from an open platform: the one place they meet (``main.py``,
``worker.py``, the seed and the tests all come through here)."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from interlude.engagement.app.deps import Enforcer, Engagement
from interlude.engagement.domain.checkin import CHECK_IN
from interlude.engagement.domain.contract import CONTRACT, PAIRING
from interlude.engagement.domain.events import registry
from interlude.engagement.domain.goal import EXPERIMENT, GOAL
from interlude.engagement.domain.thread import THREAD
from interlude.engagement.projections.dashboard import CommunityActivity, Dashboard
from interlude.engagement.projections.people import People
from interlude.engagement.projections.records import Records
from interlude.engagement.projections.sponsor import SponsorFigures
from interlude.shared import directory
from interlude.shared.auth import service_secret
from interlude.shared.config import PlatformSettings
from interlude.shared.events.codec import EventCodec
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.eventstore.repository import Repository
from interlude.shared.eventstore.streams import ensure_stream
from interlude.shared.projections.base import Projection, Together
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, master_secret

S = TypeVar("S")
MIGRATIONS = Path(__file__).parent / "migrations"
VIEWS = "engagement-views"  # the consumer of the read models fed by engagement's stream


async def build_engagement(platform: Platform, settings: PlatformSettings,
                           policy: Enforcer) -> Engagement:
    store = await platform.event_store("engagement")
    stream = platform.stream("engagement")
    codec = EventCodec(registry, platform.sealer)

    def repository(spec: AggregateSpec[S]) -> Repository[S]:
        return Repository(store, stream, spec, codec)

    return Engagement(
        contracts=repository(CONTRACT), pairings=repository(PAIRING),
        checkins=repository(CHECK_IN), threads=repository(THREAD), goals=repository(GOAL),
        experiments=repository(EXPERIMENT), policy=policy, pool=platform.pool,
        sealer=platform.sealer,
        id_secret=service_secret(master_secret(settings), "engagement-ids").encode(),
        access=platform.access)


def runners(platform: Platform, batch_size: int = 200) -> list[ProjectionRunner]:
    """The worker's consumers: people from identity; the parties' records, the dashboard and
    the sponsor figures from engagement, together (one consumer, one transaction per batch);
    the coachees' community activity from community."""
    dead = platform.stream("deadletter")

    def runner(projection: Projection, source: str) -> ProjectionRunner:
        return ProjectionRunner(projection, platform.stream(source), platform.nc, platform.pool,
                                deadletters=dead, batch_size=batch_size)

    return [runner(People(platform.sealer), "identity"),
            runner(Together(VIEWS, Records(), Dashboard(), SponsorFigures()), "engagement"),
            runner(CommunityActivity(), "community")]


async def ensure_sources(platform: Platform) -> None:
    """The streams engagement reads from exist even before their services first start, and
    so does the people table (the shared directory's)."""
    for service in ("engagement", "identity", "community"):
        await ensure_stream(platform.js, platform.stream(service),
                            platform.settings.stream_replicas)
    async with platform.pool.acquire() as conn:
        await directory.ensure_table(conn)
