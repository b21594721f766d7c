"""Demo data for ``make run``: Claire Coach's pseudonymous cohort of Amira, Ben and Chloe
around "Saying no without burning bridges" (posts, comments, reactions, a tag, a pinned
insight, rehearsals, a link shared with the cohort) and a coaches' peer circle with Marcus
Mentor.

identity seeds the people and engagement the contracts (agreeing community participation);
community learns of both from their streams as in production, so the seed waits for them.
"""

from __future__ import annotations

from typing import Any

from interlude.community.app import materials, posts, rehearsals, spaces
from interlude.community.app.deps import Community
from interlude.community.projections import queries
from interlude.community.settings import CommunitySettings
from interlude.community.wiring import MIGRATIONS, build_community, ensure_sources
from interlude.shared.config import PlatformSettings
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.seeding import DemoPeople, demo_people, seeding

COACH, PEER = "Claire Coach", "Marcus Mentor"
COHORT = ("Amira Haddad", "Ben Okafor", "Chloe Martin")


async def _ready(deps: Community) -> tuple[str, DemoPeople]:
    """The demo people by name, once community has them and Claire's three contracts."""

    async def contracts_and_policy(tenant: str, people: DemoPeople) -> bool:
        contracts = await queries.coachees_in_community(deps.pool, tenant, people[COACH][0])
        return contracts >= len(COHORT) and deps.policy.policy(tenant) is not None

    return await demo_people(deps.pool, deps.sealer, {COACH, PEER, *COHORT},
                             service="community", also=contracts_and_policy,
                             waiting_for="identity's people or engagement's contracts")


class Demo:
    def __init__(self, deps: Community, tenant: str, people: DemoPeople) -> None:
        self.deps, self.tenant, self.people = deps, tenant, people

    def as_(self, name: str) -> CommandContext:
        user_id, role = self.people[name]
        return self.deps.context(self.tenant, Actor(user_id, (role,)), policy_version=1)

    def id_of(self, name: str) -> str:
        return self.people[name][0]


async def _cohort(demo: Demo) -> None:
    deps = demo.deps
    space = (await spaces.create(
        deps, demo.as_(COACH), kind="cohort", name="Saying no without burning bridges",
        description="Declining work that is not ours, clearly and kindly, and keeping the "
                    "relationship.", pseudonymous=True)).id
    for name in COHORT:
        await spaces.invite(deps, demo.as_(COACH), space, demo.id_of(name))
        await spaces.join(deps, demo.as_(name), space,
                          "Quiet Heron" if name == "Amira Haddad" else None)

    async def post(name: str, kind: Any, body: str) -> str:
        return (await posts.publish(deps, demo.as_(name), space, kind=kind, body=body)).id

    win = await post("Amira Haddad", "small_win", "I said no to running the offsite and "
                     "offered to review the agenda instead. My manager said thanks!")
    question = await post("Ben Okafor", "question", "How do you say no to your own manager "
                          "without sounding like you don't care?")
    await post("Chloe Martin", "reflection", "I notice I say yes before I have even thought. "
               "This week I will pause and say: let me check and come back to you.")
    comment = (await posts.comment(deps, demo.as_("Chloe Martin"), space, win,
                                   body="Offering the review is such a good move.",
                                   parent_id=None)).id
    await posts.comment(deps, demo.as_("Amira Haddad"), space, win,
                        body="Thank you! It felt scary but it worked.", parent_id=comment)
    await posts.comment(deps, demo.as_("Amira Haddad"), space, question,
                        body="I name what I would drop to make room. It turns a no into a "
                             "choice we make together.", parent_id=None)
    await posts.react(deps, demo.as_("Ben Okafor"), space, win, "like", True)
    await posts.react(deps, demo.as_(COACH), space, question, "support", True)
    chloe = (await spaces.suggestion(deps, demo.as_("Chloe Martin"), space)) or ""
    await posts.tag(deps, demo.as_("Amira Haddad"), space, question, handle=None,
                    pseudonym=chloe)
    await posts.pin(deps, demo.as_(COACH), space, win,
                    "A no with an offer: the relationship stays, the boundary holds.")
    draft = (await rehearsals.draft(
        deps, demo.as_("Ben Okafor"), space, kind="experiment",
        body="I can't take on the migration this sprint, but maybe next one?")).id
    await rehearsals.feedback(deps, demo.as_(COACH), space, draft,
                              "Try it without 'maybe': say when you can, or that you can't.")
    tried = (await rehearsals.draft(
        deps, demo.as_("Chloe Martin"), space, kind="experiment",
        body="Let me check my week and come back to you by three.")).id
    await rehearsals.feedback(deps, demo.as_(COACH), space, tried,
                              "Clear and kind. Post it when you are ready.")
    await rehearsals.publish(deps, demo.as_("Chloe Martin"), space, tried)
    reading = (await materials.share(
        deps, demo.as_(COACH), space, kind="link", title="The positive no",
        url="https://example.org/the-positive-no",
        note="Several of you said no feels rude: this reframes it before Thursday.")).id
    await materials.done(deps, demo.as_("Amira Haddad"), space, reading)
    await materials.opened(deps, demo.as_("Chloe Martin"), space, reading)


async def _circle(demo: Demo) -> None:
    deps = demo.deps
    circle = (await spaces.create(
        deps, demo.as_(COACH), kind="peer_circle", name="Coaches' circle: endings",
        description="Ending coaching well, and what we carry from it.",
        pseudonymous=False)).id
    await spaces.invite(deps, demo.as_(COACH), circle, demo.id_of(PEER))
    await spaces.join(deps, demo.as_(PEER), circle, None)
    await posts.publish(deps, demo.as_(PEER), circle, kind="question",
                        body="How do you mark the last session so it feels like a beginning?")


async def seed(platform_settings: PlatformSettings) -> list[tuple[str, str, str]]:
    settings = CommunitySettings(**platform_settings.model_dump(exclude={"service_name"}))
    async with seeding(settings, service="community", migrations=MIGRATIONS,
                       prepare=ensure_sources) as (platform, trust):
        deps = await build_community(platform, settings, trust)
        tenant, people = await _ready(deps)
        demo = Demo(deps, tenant, people)
        await _cohort(demo)
        await _circle(demo)
        return []
