"""Builds engagement's parts from an open platform: the one place they meet (``main.py``,
``worker.py``, the seed and the tests all come through here)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from interlude.engagement.app.deps import Engagement
from interlude.engagement.app.retention import Retention
from interlude.engagement.domain.checkin import CHECK_IN
from interlude.engagement.domain.contract import CONTRACT, PAIRING
from interlude.engagement.domain.events import registry
from interlude.engagement.domain.goal import EXPERIMENT, GOAL
from interlude.engagement.domain.material import MATERIAL
from interlude.engagement.domain.thread import THREAD
from interlude.engagement.projections.dashboard import CommunityActivity, Dashboard
from interlude.engagement.projections.people import NAME as PEOPLE
from interlude.engagement.projections.people import People
from interlude.engagement.projections.records import Records
from interlude.engagement.projections.sponsor import SponsorFigures
from interlude.engagement.settings import EngagementSettings
from interlude.shared import directory
from interlude.shared.auth import service_secret
from interlude.shared.events.codec import EventCodec
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.eventstore.repository import Repository
from interlude.shared.eventstore.streams import ensure_stream
from interlude.shared.kit import Enforcer
from interlude.shared.projections.base import Projection, Together
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.projections.waiter import PositionWaiter
from interlude.shared.runtime import Platform, master_secret

S = TypeVar("S")
MIGRATIONS = Path(__file__).parent / "migrations"
VIEWS = "engagement-views"  # the consumer of the read models fed by engagement's stream


async def build_engagement(platform: Platform, settings: EngagementSettings,
                           policy: Enforcer, waiter: PositionWaiter | None = None) -> Engagement:
    """``waiter`` lets a command wait for someone identity has just invited (the API's)."""
    store = await platform.event_store("engagement")
    stream = platform.stream("engagement")
    codec = EventCodec(registry, platform.sealer)

    def repository(spec: AggregateSpec[S]) -> Repository[S]:
        return Repository(store, stream, spec, codec)

    return Engagement(
        contracts=repository(CONTRACT), pairings=repository(PAIRING),
        checkins=repository(CHECK_IN), threads=repository(THREAD), goals=repository(GOAL),
        experiments=repository(EXPERIMENT), materials=repository(MATERIAL), policy=policy,
        pool=platform.pool,
        sealer=platform.sealer,
        id_secret=service_secret(master_secret(settings), "engagement-ids").encode(),
        access=platform.access, public_url=settings.public_url.rstrip("/"),
        people_caught_up=people_caught_up(platform, waiter) if waiter else None)


async def retention(platform: Platform) -> Retention:
    """The contracts' retention job (the worker's)."""
    store = await platform.event_store("engagement")
    contracts = Repository(store, platform.stream("engagement"), CONTRACT,
                           EventCodec(registry, platform.sealer))
    return Retention(contracts, platform.pool, platform.sealer)


def people_caught_up(platform: Platform, waiter: PositionWaiter) -> Callable[[], Awaitable[bool]]:
    """Waits (bounded) until the people read model has applied identity's stream up to its
    last message now: a fact to wait for, rather than polling the read model."""
    identity = platform.stream("identity").name

    async def wait() -> bool:
        last = (await platform.js.stream_info(identity)).state.last_seq
        return await waiter.wait(PEOPLE, identity, last, timeout=2.0)

    return wait


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
