"""Builds community's parts from an open platform: the one place they meet (``main.py``,
``worker.py``, the seed and the tests all come through here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar, cast

from interlude.community.app.deps import Community
from interlude.community.app.reactions import NAME as REACTIONS
from interlude.community.app.reactions import ContractReactions
from interlude.community.domain.events import registry
from interlude.community.domain.material import COHORT_MATERIAL
from interlude.community.domain.pace import PACE
from interlude.community.domain.post import POST
from interlude.community.domain.reading import READING
from interlude.community.domain.rehearsal import REHEARSAL
from interlude.community.domain.space import SPACE
from interlude.community.projections.contracts import NAME as CONTRACTS
from interlude.community.projections.contracts import Contracts
from interlude.community.projections.people import People
from interlude.community.projections.views import Views
from interlude.community.settings import CommunitySettings
from interlude.shared import directory
from interlude.shared.auth import service_secret
from interlude.shared.events.codec import EventCodec
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.eventstore.repository import Repository
from interlude.shared.eventstore.streams import ensure_stream
from interlude.shared.kit import Enforcer
from interlude.shared.projections import checkpoints
from interlude.shared.projections.base import Projection
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.projections.waiter import PositionWaiter
from interlude.shared.runtime import Platform, master_secret
from interlude.shared.trust.cache import TrustCache
from interlude.shared.trust.projection import ensure_tables

S = TypeVar("S")
MIGRATIONS = Path(__file__).parent / "migrations"
VIEWS = "community-views"  # the consumer of the read models fed by community's stream


class Repositories:
    """community's aggregates in its stream."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    async def open(self) -> Repositories:
        self.store = await self.platform.event_store("community")
        self.codec = EventCodec(registry, self.platform.sealer)
        stream = self.platform.stream("community")

        def repository(spec: AggregateSpec[S]) -> Repository[S]:
            return Repository(self.store, stream, spec, self.codec)

        self.spaces, self.posts = repository(SPACE), repository(POST)
        self.rehearsals, self.readings = repository(REHEARSAL), repository(READING)
        self.paces, self.materials = repository(PACE), repository(COHORT_MATERIAL)
        return self


async def build_community(platform: Platform, settings: CommunitySettings,
                          policy: Enforcer) -> Community:
    repos = await Repositories(platform).open()
    return Community(
        spaces=repos.spaces, posts=repos.posts, rehearsals=repos.rehearsals,
        readings=repos.readings, paces=repos.paces, materials=repos.materials,
        store=repos.store, codec=repos.codec,
        policy=policy, pool=platform.pool, sealer=platform.sealer,
        id_secret=service_secret(master_secret(settings), "community-ids").encode(),
        access=platform.access, reports_to_hide=settings.reports_to_hide)


class _Reacting(ProjectionRunner):
    """The reactions' runner: it also starts and stops the waiter they wait with for the
    contracts read model."""

    def __init__(self, waiter: PositionWaiter, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._waiter = waiter

    async def start(self) -> None:
        await self._waiter.start()
        await super().start()

    async def stop(self) -> None:
        await super().stop()
        await self._waiter.stop()


async def _reactions(platform: Platform, batch_size: int) -> ProjectionRunner:
    """The consumer that acts on engagement's contract events (``app/reactions.py``). Its app
    enforces nothing (an unstarted policy cache refuses all): reactions act as the system. A
    first start takes over where the contracts read model stands, whose consumer reacted
    before this one existed."""
    engagement = platform.stream("engagement")
    async with platform.pool.acquire() as conn:
        await checkpoints.ensure_table(conn)
        await conn.execute(
            "INSERT INTO projection_checkpoints (projection, stream, position)"
            " SELECT $1, stream, position FROM projection_checkpoints WHERE projection = $2"
            " AND stream = $3 ON CONFLICT DO NOTHING", REACTIONS, CONTRACTS, engagement.name)
    deps = await build_community(platform, cast(CommunitySettings, platform.settings),
                                 TrustCache(platform.pool))
    waiter = PositionWaiter(platform.settings.database_url, platform.pool)

    async def contracts_caught_up(position: int) -> bool:
        return await waiter.wait(CONTRACTS, engagement.name, position, timeout=10)

    return _Reacting(waiter, ContractReactions(deps, contracts_caught_up), engagement,
                     platform.nc, platform.pool, deadletters=platform.stream("deadletter"),
                     batch_size=batch_size)


async def runners(platform: Platform, batch_size: int = 200) -> list[ProjectionRunner]:
    """The worker's consumers: people from identity; the spaces' read models from community
    (their notices are notify's now, in its inbox); contracts and consents from engagement, and the
    reactions to them (unpinning insights, taking members out as contracts change)."""
    dead = platform.stream("deadletter")

    def runner(projection: Projection, source: str) -> ProjectionRunner:
        return ProjectionRunner(projection, platform.stream(source), platform.nc, platform.pool,
                                deadletters=dead, batch_size=batch_size)

    return [runner(People(platform.sealer), "identity"),
            runner(Views(), "community"),
            runner(Contracts(), "engagement"), await _reactions(platform, batch_size)]


async def ensure_sources(platform: Platform) -> None:
    """The streams community reads from exist even before their services first start, and
    so do the policy copy and the people table (the shared directory's)."""
    for service in ("community", "identity", "engagement"):
        await ensure_stream(platform.js, platform.stream(service),
                            platform.settings.stream_replicas)
    async with platform.pool.acquire() as conn:
        await ensure_tables(conn)
        await directory.ensure_table(conn)
