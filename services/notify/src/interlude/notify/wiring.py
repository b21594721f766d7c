"""Builds notify's parts from an open platform: the one place they meet (``main.py``,
``worker.py``, the seed and the tests all come through here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from interlude.notify import outbound  # outbound
from interlude.notify.app.community_reactions import CommunityReactions
from interlude.notify.app.deps import Notify
from interlude.notify.app.engagement_reactions import EngagementReactions
from interlude.notify.app.reactions import IdentityReactions, InStep
from interlude.notify.app.reminders import Reminders
from interlude.notify.domain.events import registry
from interlude.notify.domain.notification import NOTIFICATION
from interlude.notify.projections.contracts import Contracts
from interlude.notify.projections.inbox import NAME as INBOX
from interlude.notify.projections.inbox import Inbox
from interlude.notify.projections.people import People
from interlude.notify.projections.spaces import Spaces
from interlude.notify.settings import NotifySettings
from interlude.shared import directory
from interlude.shared.auth import service_secret
from interlude.shared.events.codec import EventCodec
from interlude.shared.eventstore.repository import Repository
from interlude.shared.eventstore.streams import ensure_stream
from interlude.shared.kit import Enforcer
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, master_secret
from interlude.shared.trust.cache import TrustCache
from interlude.shared.trust.projection import ensure_tables

MIGRATIONS = Path(__file__).parent / "migrations"
VIEWS = INBOX  # the consumer of the read models fed by notify's own stream (?after=)
SOURCES = ("notify", "identity", "engagement", "community")


async def build_notify(platform: Platform, settings: NotifySettings, policy: Enforcer) -> Notify:
    store = await platform.event_store("notify")
    codec = EventCodec(registry, platform.sealer)
    return Notify(
        notifications=Repository(store, platform.stream("notify"), NOTIFICATION, codec),
        store=store, codec=codec, policy=policy, pool=platform.pool, sealer=platform.sealer,
        id_secret=service_secret(master_secret(settings), "notify-ids").encode(),
        access=platform.access)


class _Timed(ProjectionRunner):
    """The runner of engagement's reactions: it also runs the reminders that fall due (the
    durable timers those reactions schedule), so every process that reacts also fires."""

    def __init__(self, reminders: Reminders, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reminders = reminders

    async def start(self) -> None:
        await super().start()
        self.reminders.start()

    async def stop(self) -> None:
        await self.reminders.stop()
        await super().stop()


async def runners(platform: Platform, batch_size: int = 200) -> list[ProjectionRunner]:
    """Every consumer of notify: those that tell, then those that follow notify's own stream
    (the worker runs the two groups in processes of their own)."""
    return [*await telling_runners(platform, batch_size),
            *await following_runners(platform, batch_size)]


async def following_runners(platform: Platform, batch_size: int = 200
                            ) -> list[ProjectionRunner]:
    """The consumers of notify's own stream: the inbox (reads, and a rebuild; the reactions
    store new rows themselves) and the outbound side's."""
    inbox = ProjectionRunner(Inbox(), platform.stream("notify"), platform.nc, platform.pool,
                             deadletters=platform.stream("deadletter"), batch_size=batch_size)
    return [inbox, *await outbound.runners(platform, batch_size)]  # outbound


async def telling_runners(platform: Platform, batch_size: int = 200
                          ) -> list[ProjectionRunner]:
    """On each source stream, notify's copy of what it decides from and the reactions that
    queue notifications and keep them in the inbox, in step (one transaction per batch).
    Reactions act as the system: their app enforces nothing (an unstarted policy cache
    refuses all); the policy they heed is read from the table."""
    dead = platform.stream("deadletter")
    deps = await build_notify(platform, cast(NotifySettings, platform.settings),
                              TrustCache(platform.pool))

    def runner(projection: Any, source: str, cls: Any = ProjectionRunner,
               *extra: Any) -> ProjectionRunner:
        runner_: ProjectionRunner = cls(*extra, projection, platform.stream(source),
                                        platform.nc, platform.pool, deadletters=dead,
                                        batch_size=batch_size)
        return runner_

    return [
        runner(InStep("notify-identity", People(platform.sealer), IdentityReactions(deps)),
               "identity"),
        runner(InStep("notify-engagement", Contracts(), EngagementReactions(deps)),
               "engagement", _Timed, Reminders(deps)),
        runner(InStep("notify-community", Spaces(), CommunityReactions(deps)), "community"),
    ]


async def ensure_sources(platform: Platform) -> None:
    """The streams notify reads exist even before their services first start, and so do the
    policy copy the reactions consult and the people table (the shared directory's)."""
    for service in SOURCES:
        await ensure_stream(platform.js, platform.stream(service),
                            platform.settings.stream_replicas)
    async with platform.pool.acquire() as conn:
        await ensure_tables(conn)
        await directory.ensure_table(conn)
