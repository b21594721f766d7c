"""Demo data for ``make run``: Northwind's coaches with active contracts for the five demo
coachees (Sam sponsoring, programme "Leadership 2026"), sessions held and planned, check-ins,
goals, an experiment and message threads, so the dashboard has something true to show.

identity seeds the people first; engagement learns about them from identity's stream like it
does in production, so the seed waits for its people read model and its policy copy.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from interlude.engagement.app import checkins, contracts, goals, messages, sessions
from interlude.engagement.app.deps import Engagement
from interlude.engagement.domain.terms import Terms
from interlude.engagement.settings import EngagementSettings
from interlude.engagement.wiring import MIGRATIONS, build_engagement, ensure_sources
from interlude.shared.config import PlatformSettings
from interlude.shared.events.envelope import Actor
from interlude.shared.seeding import DemoPeople, demo_people, seeding

COACHING = {"Claire Coach": ("Amira Haddad", "Ben Okafor", "Chloe Martin"),
            "Marcus Mentor": ("Dev Patel", "Eva Lindqvist")}
SPONSOR = "Sam Sponsor"
TERMS = Terms.model_validate({
    "programme": "Leadership 2026", "sessions": {"count": 6, "over_months": 6, "mode": "video"},
    "channels": {"checkins": True, "messaging": True, "community": True},
    "allowance": {"kind": "monthly", "replies_per_month": 8, "reply_window_hours": 48},
    "sponsor_view": "attendance",
    "consents": {"pin_insights": True, "peer_tagging": True, "share_posts": True}})


async def _ready(deps: Engagement) -> tuple[str, DemoPeople]:
    """The demo organisation and its people by name, once engagement has them and its copy of
    the organisation's policy."""
    wanted = {SPONSOR, *COACHING, *(c for cs in COACHING.values() for c in cs)}

    async def policy_known(tenant: str, people: DemoPeople) -> bool:
        return deps.policy.policy(tenant) is not None

    return await demo_people(deps.pool, deps.sealer, wanted, service="engagement",
                             also=policy_known)


class Demo:
    def __init__(self, deps: Engagement, tenant: str, people: DemoPeople) -> None:
        self.deps, self.tenant, self.people = deps, tenant, people
        self.now = datetime.now(UTC)

    def as_(self, name: str, days_ago: float = 0) -> Any:
        user_id, role = self.people[name]
        self.deps.clock = lambda: self.now - timedelta(days=days_ago)
        return self.deps.context(self.tenant, Actor(user_id, (role,)), policy_version=1)

    async def contract(self, coach: str, coachee: str) -> str:
        written = await contracts.propose(
            self.deps, self.as_(coach, 40), coachee_id=self.people[coachee][0],
            sponsor_id=self.people[SPONSOR][0], terms=TERMS)
        for name in (coach, coachee, SPONSOR):
            await contracts.sign(self.deps, self.as_(name, 39), written.id, 1)
        return written.id

    async def sessions(self, coach: str, contract_id: str, held: int) -> None:
        for n in range(held):
            days = 35 - 14 * n
            start = (self.now - timedelta(days=days)).replace(hour=9, minute=0, second=0,
                                                              microsecond=0)
            session = await sessions.schedule(self.deps, self.as_(coach, days + 3), contract_id,
                                              starts_at=start, minutes=None, mode=None)
            await sessions.mark_held(self.deps, self.as_(coach, days - 0.5), contract_id,
                                     session.id)
        upcoming = (self.now + timedelta(days=6)).replace(hour=9, minute=0, second=0,
                                                          microsecond=0)
        await sessions.schedule(self.deps, self.as_(coach, 1), contract_id, starts_at=upcoming,
                                minutes=None, mode=None)

    async def check_in(self, coachee: str, contract_id: str, days_ago: float, text: str,
                       mood: int, small_win: bool = False) -> str:
        written = await checkins.post(self.deps, self.as_(coachee, days_ago), contract_id,
                                      text=text, mood=mood, small_win=small_win)
        return written.id

    async def message(self, name: str, contract_id: str, days_ago: float, body: str) -> None:
        await messages.send(self.deps, self.as_(name, days_ago), contract_id, body=body)


async def _amira(demo: Demo, contract_id: str) -> None:
    goal = await goals.set_goal(demo.deps, demo.as_("Amira Haddad", 30), contract_id,
                                "Say no to work that is not mine, without burning bridges")
    await goals.note_progress(demo.deps, demo.as_("Amira Haddad", 10), contract_id, goal.id,
                              "Declined two meetings this week and offered an alternative.", 40)
    experiment = await goals.plan_experiment(
        demo.deps, demo.as_("Claire Coach", 14), contract_id, goal_id=goal.id,
        belief="If I say no, my manager will think I am not a team player.",
        behaviour="Say no once this week, with a reason and an offer.")
    await goals.report_experiment(
        demo.deps, demo.as_("Amira Haddad", 8), contract_id, experiment.id,
        result="My manager thanked me for being clear and moved the deadline.",
        learning="Clarity reads as reliability, not reluctance.")
    for days, mood in ((3, 3), (2, 4), (1, 4), (0.1, 5)):
        checkin_id = await demo.check_in("Amira Haddad", contract_id, days,
                                         f"Day {4 - int(days)}: held my ground on priorities.",
                                         mood, small_win=mood >= 4)
        if days > 1:
            await checkins.acknowledge(demo.deps, demo.as_("Claire Coach", days - 0.5),
                                       contract_id, checkin_id, "like", None)
    await demo.message("Amira Haddad", contract_id, 5, "Could we look at the offsite plan next?")
    await demo.message("Claire Coach", contract_id, 4.5, "Yes, bring your draft agenda.")
    await demo.message("Amira Haddad", contract_id, 0.2, "Draft attached in my next check-in.")


async def seed(platform_settings: PlatformSettings) -> list[tuple[str, str, str]]:
    settings = EngagementSettings(**platform_settings.model_dump(exclude={"service_name"}))
    async with seeding(settings, service="engagement", migrations=MIGRATIONS,
                       prepare=ensure_sources) as (platform, trust):
        deps = await build_engagement(platform, settings, trust)
        tenant, people = await _ready(deps)
        demo = Demo(deps, tenant, people)
        for coach, coachees in COACHING.items():
            for n, coachee in enumerate(coachees):
                contract_id = await demo.contract(coach, coachee)
                await demo.sessions(coach, contract_id, held=2 + n % 2)
                if coachee == "Amira Haddad":
                    await _amira(demo, contract_id)
                    continue
                await demo.check_in(coachee, contract_id, 9 - n, "Tried the new stand-up "
                                    "format; mixed results.", mood=3)
                await demo.check_in(coachee, contract_id, 2 + n, "Rough week, feeling stuck.",
                                    mood=2)
                await demo.message(coachee, contract_id, 3 + n, "Can we talk before Friday?")
        return []
