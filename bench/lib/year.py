"""A year of one organisation, written as the services write it: each service's own event
classes and codec, content sealed, each commit on its aggregate's subject, appended in atomic
batches a week at a time. The shape of the year is told in ``bench/rebuild.py``'s docstring,
its one user."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from interlude.community.domain import events as cev
from interlude.community.domain.material import COHORT_MATERIAL
from interlude.community.domain.post import POST
from interlude.community.domain.reading import READING
from interlude.community.domain.rehearsal import REHEARSAL
from interlude.community.domain.space import SPACE
from interlude.engagement.domain import events as eev
from interlude.engagement.domain.checkin import CHECK_IN
from interlude.engagement.domain.contract import CONTRACT, PAIRING, content_subject
from interlude.engagement.domain.goal import EXPERIMENT, GOAL
from interlude.engagement.domain.material import MATERIAL
from interlude.engagement.domain.terms import Consents, Terms
from interlude.engagement.domain.thread import THREAD
from interlude.engagement.testing import terms as contract_terms
from interlude.notify.domain import events as nev
from interlude.notify.domain.notification import NOTIFICATION
from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.eventstore.base import Append
from interlude.shared.eventstore.jetstream import JetStreamEventStore
from interlude.shared.ids import new_id
from interlude.shared.sealing import Secret

WEEK = timedelta(days=7)
CONTRACTS, COACHES, OTHERS = 40, 4, 10  # contracts, their coaches, cohort members without one


@dataclass
class Writer:
    """One service's stream: each commit encoded with the service's codec (sealed) on its
    aggregate's subject, held until :meth:`flush` appends them in order, in atomic batches."""

    store: JetStreamEventStore
    codec: EventCodec
    tenant_id: str
    pending: list[tuple[datetime, int, Append]] = field(default_factory=list)
    written: int = 0

    async def add(self, spec: AggregateSpec[Any], aggregate_id: str, events: Sequence[Event],
                  actor: Actor, at: datetime, event_id: str | None = None) -> str:
        """A commit at ``at``; the first event's id (a notification's cause)."""
        ctx = CommandContext(tenant_id=self.tenant_id, actor=actor, now=at,
                             correlation_id=new_id())
        first = event_id or new_id()
        envelopes = [await self.codec.encode(e, ctx, aggregate_id, first if i == 0 else None)
                     for i, e in enumerate(events)]
        subject = self.store.stream.subject(self.tenant_id, spec.name, aggregate_id)
        self.pending.append((at, len(self.pending), Append(subject, envelopes,
                                                           expected_last_seq=None)))
        return first

    async def flush(self) -> None:
        """Everything added, in the order of its time: ``append_many`` takes one commit per
        subject, so a batch ends where a subject comes again."""
        todo = [a for _, _, a in sorted(self.pending, key=lambda p: (p[0], p[1]))]
        self.pending.clear()
        batch: list[Append] = []
        subjects: set[str] = set()
        for append in todo:
            if append.subject in subjects or len(batch) >= 500:
                await self.store.append_many(batch)
                batch, subjects = [], set()
            batch.append(append)
            subjects.add(append.subject)
        if batch:
            await self.store.append_many(batch)
        self.written += len(todo)


def text(rng: random.Random, words: int = 30) -> str:
    vocabulary = ("said", "no", "meeting", "week", "tried", "again", "calmer", "team", "asked",
                  "for", "time", "before", "answering", "felt", "better", "than", "expected")
    return " ".join(rng.choice(vocabulary) for _ in range(words))


@dataclass
class Contract:
    contract_id: str
    coach_id: str
    coachee_id: str
    messages: int = 0
    goal: str | None = None
    goal_set: int = 0
    experiment: str | None = None
    material: str | None = None
    session: str | None = None

    @property
    def subject(self) -> str:  # whose key seals the contract's content
        return content_subject(self.coachee_id, self.contract_id)


@dataclass
class Post:
    post_id: str
    author_id: str
    at: datetime
    comments: list[tuple[str, str]] = field(default_factory=list)  # (comment id, author)
    reactions: set[tuple[str, str]] = field(default_factory=set)  # (user, reaction)


class Year:
    """One organisation's weeks, written into engagement's, community's and notify's streams
    (the shape the module docstring gives)."""

    def __init__(self, writers: dict[str, Writer], start: datetime, seed: int = 17) -> None:
        self.w, self.start, self.rng = writers, start, random.Random(seed)
        self.coaches = [f"usr_coach{i}" for i in range(COACHES)]
        self.sponsor = "usr_sponsor"
        self.coachees = [f"usr_coachee{i}" for i in range(CONTRACTS)]
        self.members = self.coachees + [f"usr_member{i}" for i in range(OTHERS)]
        self.handles = {m: f"Pseudonym{i}" for i, m in enumerate(self.members)}
        self.handles[self.coaches[0]] = "Coach"
        self.space = "spc_cohort"
        self.contracts: list[Contract] = []
        self.posts: list[Post] = []
        self.numbered = 0

    def at(self, week: int, day: float) -> datetime:
        return self.start + week * WEEK + timedelta(days=day)

    def soon(self, week: int) -> datetime:
        return self.at(week, self.rng.uniform(0, 6.9))

    def after(self, at: datetime, week: int, day: float = 6.9) -> datetime:
        """A time between ``at`` and ``day`` of ``week`` (a comment after its post)."""
        return at + (self.at(week, day) - at) * self.rng.random()

    def next_id(self, prefix: str) -> str:
        self.numbered += 1
        return f"{prefix}_{self.numbered:07d}"

    async def tell(self, cause: str, recipient: str, kind: str, at: datetime, link: str,
                   excerpt: Secret | None = None, **refs: Any) -> None:
        """A notification as notify's reactions queue it for a cause (read 7 in 10, e-mailed
        3 in 20)."""
        notify, rng = self.w["notify"], self.rng
        notification_id = nev.notification_id(cause, recipient)
        queued = nev.NotificationQueued(
            recipient_id=recipient, kind=kind, cause_id=cause, cause_type="bench", link=link,
            occurred_at=at, excerpt=excerpt, **refs)  # type: ignore[arg-type]
        system = Actor.system("notify")
        await notify.add(NOTIFICATION, notification_id, [queued], system,
                         at + timedelta(seconds=1))
        if rng.random() < 0.15:
            await notify.add(NOTIFICATION, notification_id, [nev.NotificationDelivered(
                channel="email", recipient_id=recipient)], system, at + timedelta(minutes=5))
        if rng.random() < 0.7:
            await notify.add(NOTIFICATION, notification_id, [nev.NotificationRead(
                recipient_id=recipient)], Actor(recipient), at + timedelta(hours=rng.uniform(
                    0.1, 30)))

    # -- engagement ------------------------------------------------------------------------

    async def contract(self, coach: str, coachee: str, at: datetime) -> Contract:
        eng, c = self.w["engagement"], Contract(self.next_id("ctr"), coach, coachee)
        terms = Terms.model_validate(contract_terms(
            channels={"checkins": True, "messaging": True, "community": True,
                      "community_space": self.space}, sponsor_view="goals"))
        who = {"coach": coach, "coachee": coachee, "sponsor": self.sponsor}
        await eng.add(PAIRING, f"{coach}_{coachee}", [eev.PairingClaimed(
            contract_id=c.contract_id, coach_id=coach, coachee_id=coachee)], Actor(coach), at)
        await eng.add(CONTRACT, c.contract_id, [eev.ContractProposed(
            coach_id=coach, coachee_id=coachee, sponsor_id=self.sponsor, terms=terms,
            terms_version=1)], Actor(coach), at)
        for i, (party, user) in enumerate(who.items()):
            signed = eev.ContractSigned(user_id=user, party=party,  # type: ignore[arg-type]
                                        terms_version=1, terms=terms)
            then = at + timedelta(hours=i + 1)
            await eng.add(CONTRACT, c.contract_id, [signed] if party != "sponsor" else [
                signed, eev.ContractActivated(
                    coach_id=coach, coachee_id=coachee, sponsor_id=self.sponsor,
                    terms_version=1, terms=terms, consents=Consents(
                        pin_insights=True, peer_tagging=True, share_posts=True))],
                Actor(user), then)
        self.contracts.append(c)
        return c

    async def engagement_week(self, week: int, weeks: int) -> None:
        if week == 0:
            for i, coachee in enumerate(self.coachees):
                await self.contract(self.coaches[i % COACHES], coachee, self.at(0, -1))
        if week == max(1, weeks * 3 // 4):
            for c in list(self.contracts[:CONTRACTS // 4]):
                await self.w["engagement"].add(CONTRACT, c.contract_id, [eev.ContractEnded(
                    ended_by=c.coachee_id, party="coachee", coachee_id=c.coachee_id,
                    reason=Secret("We met the goals we set", c.subject))], Actor(c.coachee_id),
                    self.at(week, -0.1))
                self.contracts.remove(c)
                await self.contract(c.coach_id, c.coachee_id, self.at(week, 0))
        if week % 10 == 5:
            c = self.contracts[week % len(self.contracts)]
            for day, kind in ((1, eev.ConsentWithdrawn), (4, eev.ConsentGiven)):
                await self.w["engagement"].add(CONTRACT, c.contract_id, [kind(
                    coachee_id=c.coachee_id, consent="pin_insights")], Actor(c.coachee_id),
                    self.at(week, day))
        for c in self.contracts:
            await self.checkins(week, c)
            await self.thread(week, c)
            await self.sessions(week, c)
            await self.goals(week, c)

    async def checkins(self, week: int, c: Contract) -> None:
        eng, rng = self.w["engagement"], self.rng
        ids = []
        for day in (0, 2, 4):
            at = self.at(week, day + rng.uniform(0.5, 1))
            checkin = self.next_id("chk")
            cause = await eng.add(CHECK_IN, checkin, [eev.CheckInPosted(
                contract_id=c.contract_id, coach_id=c.coach_id, coachee_id=c.coachee_id,
                text=Secret(text(rng), c.subject), mood=rng.randint(1, 5),
                small_win=rng.random() < 0.25, goal_id=c.goal)], Actor(c.coachee_id), at)
            await self.tell(cause, c.coach_id, "checkin_awaits", at,
                            f"/contracts/{c.contract_id}/check-ins/{checkin}",
                            actor_id=c.coachee_id, contract_id=c.contract_id, item_id=checkin)
            ids.append((checkin, at))
        asks = week % 4 == 1
        for (checkin, at), kind in zip(ids, ("like", "question" if asks else None, None),
                                       strict=True):
            if kind is None:
                continue
            question = Secret("What made it easier?", c.subject) if kind == "question" else None
            then = at + timedelta(hours=rng.uniform(2, 20))
            cause = await eng.add(CHECK_IN, checkin, [eev.CheckInAcknowledged(
                contract_id=c.contract_id, coachee_id=c.coachee_id, kind=kind,  # type: ignore[arg-type]
                question=question)], Actor(c.coach_id), then)
            told = "checkin_questioned" if question else "checkin_acknowledged"
            await self.tell(cause, c.coachee_id, told, then,
                            f"/contracts/{c.contract_id}/check-ins/{checkin}", question,
                            actor_id=c.coach_id, contract_id=c.contract_id, item_id=checkin)

    async def thread(self, week: int, c: Contract) -> None:
        eng, rng = self.w["engagement"], self.rng
        for k, party in enumerate(("coachee", "coachee", "coach", "coachee", "coachee", "coach")):
            at = self.at(week, k + rng.uniform(0.2, 0.9))
            c.messages += 1
            sender = c.coach_id if party == "coach" else c.coachee_id
            body = Secret(text(rng, 60), c.subject)
            message = f"msg_{c.contract_id}_{c.messages}"
            cause = await eng.add(THREAD, c.contract_id, [eev.MessageSent(
                contract_id=c.contract_id, message_id=message, number=c.messages,
                sender_id=sender, party=party, coachee_id=c.coachee_id,  # type: ignore[arg-type]
                body=body, month=f"{at:%Y-%m}", counted=party == "coach", billable=False)],
                Actor(sender), at)
            other = c.coachee_id if party == "coach" else c.coach_id
            await self.tell(cause, other, "coach_replied" if party == "coach" else
                            "message_received", at, f"/contracts/{c.contract_id}/thread", body,
                            actor_id=sender, contract_id=c.contract_id, item_id=message)
            if k % 3 != 0:  # the other party reads up to here, a few hours later
                reader = "coachee" if party == "coach" else "coach"
                await eng.add(THREAD, c.contract_id, [eev.MessageRead(
                    contract_id=c.contract_id, reader_id=other, party=reader,  # type: ignore[arg-type]
                    up_to=c.messages)], Actor(other), at + timedelta(hours=rng.uniform(1, 5)))

    async def sessions(self, week: int, c: Contract) -> None:
        eng, rng = self.w["engagement"], self.rng
        if week % 2 == 0:
            c.session = self.next_id("ses")
            starts = self.at(week, 9)
            await eng.add(CONTRACT, c.contract_id, [eev.SessionScheduled(
                session_id=c.session, starts_at=starts, minutes=60, mode="video",
                scheduled_by=c.coach_id)], Actor(c.coach_id), self.at(week, 1))
            if rng.random() < 1 / 8:
                await eng.add(CONTRACT, c.contract_id, [eev.SessionRescheduled(
                    session_id=c.session, starts_at=starts + timedelta(hours=2),
                    rescheduled_by=c.coachee_id)], Actor(c.coachee_id), self.at(week, 3))
            for person in (c.coach_id, c.coachee_id):  # the reminders the day before
                await self.tell(c.session, person, "session_tomorrow", starts - timedelta(
                    days=1), f"/contracts/{c.contract_id}", contract_id=c.contract_id,
                    item_id=c.session)
        elif c.session is not None:
            if rng.random() < 0.1:
                event: Event = eev.SessionCancelled(
                    session_id=c.session, cancelled_by=c.coachee_id, party="coachee",
                    coachee_id=c.coachee_id, reason=Secret("A clash at work", c.subject))
            else:
                event = eev.SessionHeld(session_id=c.session)
            await eng.add(CONTRACT, c.contract_id, [event], Actor(c.coach_id), self.at(week, 3))
            c.session = None

    async def goals(self, week: int, c: Contract) -> None:
        eng, rng, coachee = self.w["engagement"], self.rng, Actor(c.coachee_id)
        if c.goal is None and week % 8 == 0:
            c.goal, c.goal_set = self.next_id("gol"), week
            await eng.add(GOAL, c.goal, [eev.GoalSet(
                contract_id=c.contract_id, coachee_id=c.coachee_id,
                title=Secret("Say no without guilt", c.subject), set_by=c.coach_id)],
                Actor(c.coach_id), self.at(week, 0.5))
        elif c.goal is not None and week - c.goal_set >= 7:
            await eng.add(GOAL, c.goal, [eev.GoalClosed(
                contract_id=c.contract_id, coachee_id=c.coachee_id,
                outcome="achieved" if rng.random() < 2 / 3 else "dropped")], coachee,
                self.at(week, 6))
            c.goal = None
        elif c.goal is not None:
            await eng.add(GOAL, c.goal, [eev.GoalProgressNoted(
                contract_id=c.contract_id, coachee_id=c.coachee_id,
                note=Secret(text(rng, 20), c.subject), progress=min(100, 15 * (week - c.goal_set
                                                                            )))],
                coachee, self.at(week, 5))
        if week % 4 == 0:
            c.experiment = self.next_id("exp")
            await eng.add(EXPERIMENT, c.experiment, [eev.ExperimentPlanned(
                contract_id=c.contract_id, coachee_id=c.coachee_id, goal_id=c.goal,
                belief=Secret("They will think less of me", c.subject),
                behaviour=Secret("Decline one meeting", c.subject))], coachee, self.at(week, 1))
        elif week % 4 == 2 and c.experiment is not None:
            await eng.add(EXPERIMENT, c.experiment, [eev.ExperimentReported(
                contract_id=c.contract_id, coachee_id=c.coachee_id,
                result=Secret(text(rng, 20), c.subject),
                learning=Secret(text(rng, 20), c.subject))], coachee, self.at(week, 2))
        if week % 4 == 1:
            c.material = self.next_id("mat")
            shared = self.at(week, 1)
            await eng.add(MATERIAL, c.material, [eev.MaterialShared(
                contract_id=c.contract_id, coach_id=c.coach_id, coachee_id=c.coachee_id,
                kind="reading", title=Secret("On boundaries", c.subject),
                url=Secret("https://example.org/boundaries", c.subject),
                note=Secret("Before our next session", c.subject))], Actor(c.coach_id), shared)
            await eng.add(MATERIAL, c.material, [eev.MaterialOpened(
                contract_id=c.contract_id, coachee_id=c.coachee_id)], coachee,
                shared + timedelta(days=1))
            await eng.add(MATERIAL, c.material, [eev.MaterialDone(
                contract_id=c.contract_id, coachee_id=c.coachee_id,
                reflection=Secret(text(rng, 20), c.subject) if rng.random() < 0.5 else None)],
                coachee, shared + timedelta(days=4))

    # -- community -------------------------------------------------------------------------

    async def community_week(self, week: int) -> None:
        com, rng, coach = self.w["community"], self.rng, self.coaches[0]
        if week == 0:  # the day before the run starts
            await com.add(SPACE, self.space, [cev.SpaceCreated(
                coach_id=coach, coach_handle="Coach", kind="cohort",
                name="Saying no without burning bridges", description="A cohort",
                pseudonymous=True)], Actor(coach), self.at(0, -1))
            for i, member in enumerate(self.members):
                at = self.at(0, -0.9 + i / 1000)
                contract = next((c.contract_id for c in self.contracts
                                 if c.coachee_id == member), None)
                await com.add(SPACE, self.space, [cev.MemberInvited(
                    user_id=member, invited_by=coach, contract_id=contract)], Actor(coach), at)
                await com.add(SPACE, self.space, [cev.MemberJoined(
                    user_id=member, handle=self.handles[member],
                    pseudonym=self.handles[member])], Actor(member), at + timedelta(hours=2))
        fresh = [await self.post(week, rng.choice(self.members)) for _ in range(50)]
        for _ in range(2):
            await self.rehearsal(week, rng.choice(self.members))
        for post in fresh:
            for _ in range(3):
                await self.comment(week, post)
            for _ in range(5):
                await self.react(week, post)
        for member in self.members:
            for _ in range(2):
                await com.add(READING, f"{self.space}_{self.handles[member]}", [cev.FeedRead(
                    space_id=self.space, user_id=member, up_to=self.soon(week))],
                    Actor(member), self.soon(week))
        await self.gestures(week, fresh)
        if week % 4 == 2:
            await self.material(week)

    async def post(self, week: int, author: str, rehearsal: str | None = None,
                   at: datetime | None = None) -> Post:
        com, rng = self.w["community"], self.rng
        at = at or self.at(week, rng.uniform(0, 6))
        post = Post(self.next_id("pst"), author, at)
        await com.add(POST, post.post_id, [cev.PostPublished(
            space_id=self.space, author_id=author, handle=self.handles[author],
            kind=rng.choice(("reflection", "small_win", "experiment", "question")),
            body=Secret(text(rng, 50), author), rehearsal_id=rehearsal)], Actor(author), at)
        self.posts.append(post)
        return post

    async def comment(self, week: int, post: Post) -> None:
        com, rng = self.w["community"], self.rng
        author, at = rng.choice(self.members), self.after(post.at, week)
        comment = self.next_id("cmt")
        parent = rng.choice(post.comments) if post.comments and rng.random() < 0.25 else None
        body = Secret(text(rng, 25), author)
        cause = await com.add(POST, post.post_id, [cev.CommentAdded(
            space_id=self.space, comment_id=comment, author_id=author,
            handle=self.handles[author], post_author_id=post.author_id,
            parent_id=parent[0] if parent else None, body=body)], Actor(author), at)
        post.comments.append((comment, author))
        refs = {"actor_pseudonym": self.handles[author], "space_id": self.space,
                "item_id": post.post_id}
        link = f"/community/spaces/{self.space}/posts/{post.post_id}"
        if post.author_id != author:
            await self.tell(cause, post.author_id, "post_commented", at, link, body, **refs)
        if parent is not None and parent[1] not in (author, post.author_id):
            await self.tell(cause, parent[1], "comment_replied", at, link, body, **refs)

    async def react(self, week: int, post: Post) -> None:
        com, rng = self.w["community"], self.rng
        user, reaction = rng.choice(self.members), rng.choice(cev.REACTIONS)
        if (user, reaction) in post.reactions:
            return
        post.reactions.add((user, reaction))
        at = self.after(post.at, week)
        cause = await com.add(POST, post.post_id, [cev.ReactionAdded(
            space_id=self.space, user_id=user, reaction=reaction)], Actor(user), at)
        if user != post.author_id:
            await self.tell(cause, post.author_id, "post_reacted", at,
                            f"/community/spaces/{self.space}/posts/{post.post_id}",
                            actor_pseudonym=self.handles[user], space_id=self.space,
                            item_id=post.post_id)
        if rng.random() < 0.05:
            post.reactions.discard((user, reaction))
            await com.add(POST, post.post_id, [cev.ReactionRemoved(
                space_id=self.space, user_id=user, reaction=reaction)], Actor(user),
                at + timedelta(minutes=10))

    async def gestures(self, week: int, fresh: list[Post]) -> None:
        """Tags, shares, pins, edits, withdrawals and reports of the week's posts."""
        com, rng, coach = self.w["community"], self.rng, self.coaches[0]
        posts = rng.sample(fresh, 16)
        link = f"/community/spaces/{self.space}/posts/"
        for post in posts[:5]:
            tagged, at = rng.choice(self.members), self.after(post.at, week)
            cause = await com.add(POST, post.post_id, [cev.MemberTagged(
                space_id=self.space, tagged_id=tagged, tagged_by=post.author_id)],
                Actor(post.author_id), at)
            await self.tell(cause, tagged, "member_tagged", at, link + post.post_id,
                            space_id=self.space, item_id=post.post_id)
        for post in posts[5:8]:
            by, at = rng.choice(self.members), self.after(post.at, week)
            cause = await com.add(POST, post.post_id, [cev.PostShared(
                space_id=self.space, shared_by=by, post_author_id=post.author_id)], Actor(by), at)
            await self.tell(cause, post.author_id, "post_shared", at, link + post.post_id,
                            space_id=self.space, item_id=post.post_id)
        for k, post in enumerate(posts[8:11]):
            at = self.after(post.at, week)
            note = Secret("This is the turn in your story", post.author_id)
            cause = await com.add(POST, post.post_id, [cev.InsightPinned(
                space_id=self.space, author_id=post.author_id, coach_id=coach, note=note)],
                Actor(coach), at)
            await self.tell(cause, post.author_id, "insight_pinned", at, link + post.post_id,
                            note, space_id=self.space, item_id=post.post_id)
            if k == 0 and week % 6 == 3:
                await com.add(POST, post.post_id, [cev.InsightUnpinned(
                    space_id=self.space, author_id=post.author_id, reason="coach")],
                    Actor(coach), at + timedelta(days=1))
        for post in posts[11:14]:
            await com.add(POST, post.post_id, [cev.PostEdited(
                space_id=self.space, author_id=post.author_id,
                body=Secret(text(rng, 50), post.author_id))], Actor(post.author_id),
                self.at(week, 6.95))
        withdrawn = posts[14]
        await com.add(POST, withdrawn.post_id, [cev.PostWithdrawn(
            space_id=self.space, author_id=withdrawn.author_id)], Actor(withdrawn.author_id),
            self.at(week, 6.99))
        commented = next((p for p in fresh if p.comments), None)
        if commented is not None:
            comment, author = commented.comments.pop()
            await com.add(POST, commented.post_id, [cev.CommentWithdrawn(
                space_id=self.space, comment_id=comment, author_id=author)], Actor(author),
                self.at(week, 6.99))
        if week % 2 == 1:
            reporter = rng.choice(self.members)
            await com.add(POST, posts[15].post_id, [cev.PostReported(
                space_id=self.space, reporter_id=reporter,
                reason=Secret("Names a colleague", reporter))], Actor(reporter),
                self.at(week, 6.9))

    async def rehearsal(self, week: int, author: str) -> None:
        com, rng, coach = self.w["community"], self.rng, self.coaches[0]
        rehearsal = self.next_id("reh")
        steps: list[tuple[Event, str, float]] = [
            (cev.RehearsalDrafted(space_id=self.space, author_id=author, coach_id=coach,
                                  kind="reflection", body=Secret(text(rng), author)), author, 0),
            (cev.RehearsalFeedbackGiven(space_id=self.space, author_id=author, coach_id=coach,
                                        body=Secret(text(rng, 20), author)), coach, 1),
            (cev.RehearsalRevised(space_id=self.space, author_id=author,
                                  body=Secret(text(rng), author)), author, 2)]
        for event, actor, day in steps:
            await com.add(REHEARSAL, rehearsal, [event], Actor(actor), self.at(week, day))
        post = await self.post(week, author, rehearsal, self.at(week, 3))
        await com.add(REHEARSAL, rehearsal, [cev.RehearsalPublished(
            space_id=self.space, author_id=author, post_id=post.post_id)], Actor(author),
            self.at(week, 3))

    async def material(self, week: int) -> None:
        com, rng, coach = self.w["community"], self.rng, self.coaches[0]
        material, at = self.next_id("cmat"), self.at(week, 0.5)
        cause = await com.add(COHORT_MATERIAL, material, [cev.CohortMaterialShared(
            space_id=self.space, coach_id=coach, kind="exercise",
            title=Secret("The two-column exercise", coach), url=None,
            note=Secret("For this month's theme", coach), members=list(self.members))],
            Actor(coach), at)
        for member in self.members:
            await self.tell(cause, member, "material_shared", at,
                            f"/community/spaces/{self.space}/materials", space_id=self.space,
                            item_id=material)
        readers = rng.sample(self.members, 30)
        for k, member in enumerate(readers):
            await com.add(COHORT_MATERIAL, material, [cev.CohortMaterialOpened(
                space_id=self.space, user_id=member)], Actor(member), self.after(at, week, 6))
            if k < 15:
                await com.add(COHORT_MATERIAL, material, [cev.CohortMaterialDone(
                    space_id=self.space, user_id=member)], Actor(member), self.at(week, 6.5))

    async def week(self, week: int, weeks: int) -> None:
        await self.engagement_week(week, weeks)
        await self.community_week(week)
        for writer in self.w.values():
            await writer.flush()
