"""Demo data for ``make run``: notify causes nothing itself. The demo people's inboxes fill
through the real flow (identity's, engagement's and community's seeds act as the demo people;
notify's worker tells whom it concerns), so the seed waits until they have, and reads one of
Amira's so the demo shows read and unread."""

from __future__ import annotations

from interlude.notify.app import inbox
from interlude.notify.projections import queries
from interlude.notify.settings import NotifySettings
from interlude.notify.wiring import MIGRATIONS, build_notify, ensure_sources
from interlude.shared.config import PlatformSettings
from interlude.shared.events.envelope import Actor
from interlude.shared.seeding import demo_people, seeding

COACHEE = "Amira Haddad"


async def seed(platform_settings: PlatformSettings) -> list[tuple[str, str, str]]:
    settings = NotifySettings(**platform_settings.model_dump(exclude={"service_name"}))
    async with seeding(settings, service="notify", migrations=MIGRATIONS,
                       prepare=ensure_sources) as (platform, trust):
        deps = await build_notify(platform, settings, trust)

        async def told(tenant: str, people: dict[str, tuple[str, str]]) -> bool:
            return deps.policy.policy(tenant) is not None and \
                await queries.unread_count(deps.pool, tenant, people[COACHEE][0]) >= 2

        tenant, people = await demo_people(deps.pool, deps.sealer, {COACHEE}, service="notify",
                                           also=told, waiting_for="the demo's notifications")
        user_id, role = people[COACHEE]
        ctx = deps.context(tenant, Actor(user_id, (role,)), policy_version=1)
        oldest = (await queries.unread_ids(deps.pool, tenant, user_id, limit=1))[0]
        await inbox.mark_read(deps, ctx, oldest)
        return []  # the logins are identity's
