"""Rebuild benchmark: the product's own read models rebuilt from a year of one organisation's
events, each beside a raw replay of the same stream, with the size of what it keeps.

    uv run python bench/rebuild.py            # a year (52 weeks), about 6 minutes on 2 cores
    uv run python bench/rebuild.py --quick    # a month (4 weeks) of the same shape, under a minute

The stack is the one ``make run`` has: nats-server (``sync_interval: always``) and PostgreSQL
(fsync on), started here on free ports and stopped by PID at the end; engagement, community
and notify each open their platform on a schema of their own (migrations applied, sources
ensured, as their worker starts). Nothing runs their APIs: the events are written as the
services write them, with each service's own event classes and codec (content sealed under
the key it is sealed with in production), each commit on its aggregate's subject, appended in
atomic batches (``append_many``) a week at a time.

The year of one organisation (``--weeks`` weeks; the figures per week):

- engagement: 40 coaching contracts (4 coaches with 10 coachees each, one sponsor; each
  claimed, proposed, signed by all three and activated; a quarter end three quarters into the
  run and are followed by a new contract of the same pair; a consent withdrawn and given back
  now and then). Per contract and week: 3 check-ins (1 in 4 a small win), the coach likes one
  and asks a question on one in four weeks; 6 messages (4 from the coachee, 2 coach replies)
  and 4 read receipts; a session every two weeks (scheduled, then held; 1 in 8 moved first,
  1 in 10 cancelled by the coachee); a goal every 8 weeks with a progress note each week,
  closed after 7; an experiment every 4 weeks, reported 2 weeks later; a material every 4
  weeks, opened and done. About 710 events a week, 37,000 a year.
- community: one pseudonymous cohort of 50 members (the 40 coachees and 10 more) and its
  coach. Per week: 50 posts, 150 comments (1 in 4 a reply, 1 a week withdrawn), 250
  reactions (1 in 20 taken back), 100 feed reads, 5 tags, 3 shares, 3 insights pinned (1 in 6
  weeks one unpinned), 3 posts edited, 1 withdrawn, a report every other week, 2 rehearsals
  (drafted, feedback, revised, published as a post); a cohort material every 4 weeks, opened
  by 30 members and done by 15. About 600 events a week, 31,000 a year.
- notify: what the reactions queue for those causes (a comment, a reply, a reaction, a tag, a
  share or a pin to the post's author; a check-in to the coach, its like or question to the
  coachee; a message to the other party; two session reminders; a cohort material to each
  member), 7 in 10 read by their recipient, 3 in 20 delivered by e-mail too. About 1,640
  events a week, 85,000 a year.

As the weeks are written, the read models are built incrementally: after each week, each
projection's runner (from the service's ``wiring``, as its worker builds it) catches up one
event at a time (``--live-batch 1``), as a worker that keeps up with the stream mostly sees
them, and as the projections' handlers were written: what a projection does a batch at a
time (a run of rows in one statement, sums written at the batch's end) must come out the
same. Then, per projection, back to back:

- ``<name>_raw_per_s``: the messages of its stream read through an ordered consumer with a
  callback that only counts them (as ``bench/eventstore.py`` reads raw JetStream);
- ``<name>_rebuild_per_s``: the same messages through the projection's real
  ``ProjectionRunner.rebuild`` (its tables emptied, its consumer from sequence 1, batches of
  ``--batch`` as the worker's wiring has them), ``<name>_rebuild_s`` the whole call;
  ``<name>_rebuild_ratio`` = rebuild rate / raw rate (target: >= 0.5);
- ``<name>_<part>_per_s``, ``<name>_<part>_bytes_per_event``: for a consumer that feeds
  several read models at once (engagement's views), each of them rebuilt alone, to say
  where the time and the size go;
- ``<stream>_noop_per_s``: the same runner and stream with a projection that writes nothing,
  the floor of any projection there (the runner's fetch, checkpoint and ack);
- ``<name>_bytes_per_event``: ``pg_total_relation_size`` (rows, indexes, TOAST) summed over
  the projection's ``tables``, after the rebuild and a ``VACUUM FULL`` (the compact size),
  per message of its stream; ``<name>_live_bytes_per_event`` the same of the read model as
  the incremental build left it (dead rows of updates and all, before autovacuum got to
  them); ``<stream>_stream_bytes_per_event``: JetStream's own (``state.bytes / messages``).

The rebuilt read model must equal the incremental one: each table's rows (and the unread
counts notify's triggers keep beside its inbox) are counted and digested (md5 of every row's
text, in order) before and after; a difference fails the bench.

Measured (``engagement_views``: records, dashboard and sponsor figures together, one
consumer of engagement's stream; ``engagement_activity``: the dashboard's community activity
from community's stream; ``community_views``: spaces, members, feed, comments, reactions and
the rest from community's stream; ``community_contracts``: engagement's contracts as
community keeps them; ``notify_inbox``: the inbox from notify's stream). Not measured here:
audit (``bench/audit.py``), notify's reactions (they append, a rebuild of them is a replay of
side effects, not of a read model) and the people read models (identity's stream).

Progress goes to stderr; the last line on stdout is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import secrets
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from interlude.community import wiring as community_wiring
from interlude.community.domain import events as cev
from interlude.community.domain.material import COHORT_MATERIAL
from interlude.community.domain.post import POST
from interlude.community.domain.reading import READING
from interlude.community.domain.rehearsal import REHEARSAL
from interlude.community.domain.space import SPACE
from interlude.community.settings import CommunitySettings
from interlude.engagement import wiring as engagement_wiring
from interlude.engagement.domain import events as eev
from interlude.engagement.domain.checkin import CHECK_IN
from interlude.engagement.domain.contract import CONTRACT, PAIRING, content_subject
from interlude.engagement.domain.goal import EXPERIMENT, GOAL
from interlude.engagement.domain.material import MATERIAL
from interlude.engagement.domain.terms import Consents, Terms
from interlude.engagement.domain.thread import THREAD
from interlude.engagement.projections.dashboard import COMMUNITY_NAME
from interlude.engagement.settings import EngagementSettings
from interlude.engagement.testing import terms as contract_terms
from interlude.notify import wiring as notify_wiring
from interlude.notify.domain import events as nev
from interlude.notify.domain.notification import NOTIFICATION
from interlude.notify.projections.inbox import NAME as INBOX
from interlude.notify.settings import NotifySettings
from interlude.shared.db import quote_ident
from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.eventstore.base import Append
from interlude.shared.eventstore.jetstream import JetStreamEventStore
from interlude.shared.ids import new_id
from interlude.shared.projections.base import Projection, RecordedEvent, Together
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, started
from interlude.shared.sealing import Secret
from interlude.shared.testing.inprocess import caller_settings
from interlude.shared.testing.load import create_schemas
from interlude.shared.testing.servers import embedded_servers

TARGET = 0.5
WEEK = timedelta(days=7)
CONTRACTS, COACHES, OTHERS = 40, 4, 10  # contracts, their coaches, cohort members without one
# each measured read model: (figure name, service, runner name, source stream); extra tables
# kept beside it (by triggers) are compared too
MEASURED = (("engagement_views", "engagement", engagement_wiring.VIEWS, "engagement"),
            ("engagement_activity", "engagement", COMMUNITY_NAME, "community"),
            ("community_views", "community", community_wiring.VIEWS, "community"),
            ("community_contracts", "community", "community-contracts", "engagement"),
            ("notify_inbox", "notify", INBOX, "notify"))
KEPT_BESIDE = {"notify_inbox": ("inbox_unread_counts",)}


BEGAN = time.monotonic()


def say(message: str) -> None:
    print(f"[rebuild bench {time.monotonic() - BEGAN:5.1f}s] {message}", file=sys.stderr,
          flush=True)


# -- writing the events as the services write them --------------------------------------------

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


# -- the read models --------------------------------------------------------------------------

class Nothing(Projection):
    """Reads every event of its stream and writes nothing: what the runner alone costs."""

    def __init__(self, stream: str) -> None:
        super().__init__()
        self.name = f"bench-nothing-{stream}"  # type: ignore[misc]

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        return None


async def wired(platforms: dict[str, Platform], batch: int) -> dict[str, ProjectionRunner]:
    """The measured runners, as each service's worker builds them (its ``wiring.runners``)."""
    made = [*engagement_wiring.runners(platforms["engagement"], batch),
            *await community_wiring.runners(platforms["community"], batch),
            *await notify_wiring.following_runners(platforms["notify"], batch)]
    by_name = {r.name: r for r in made}
    return {name: by_name[runner] for name, _, runner, _ in MEASURED}


async def digest(pool: asyncpg.Pool, tables: Sequence[str]) -> dict[str, tuple[int, str]]:
    """Each table's row count and an md5 over its rows' text, in order."""
    found = {}
    for table in tables:
        row = await pool.fetchrow(
            f"SELECT count(*) AS n, md5(coalesce(string_agg(r, '|' ORDER BY r), '')) AS d"
            f" FROM (SELECT t::text AS r FROM {quote_ident(table)} t) rows")
        found[table] = (int(row["n"]), str(row["d"]))
    return found


async def size(pool: asyncpg.Pool, tables: Sequence[str]) -> int:
    return int(await pool.fetchval(
        "SELECT sum(pg_total_relation_size(to_regclass(quote_ident(t))))::bigint"
        " FROM unnest($1::text[]) t", list(tables)))


async def raw_replay(platform: Platform, stream: str, expected: int) -> float:
    """Seconds an ordered consumer takes to read the whole stream, counting (as in
    ``bench/eventstore.py``)."""
    spec, done, seen = platform.stream(stream), asyncio.Event(), 0

    async def count(_msg: Any) -> None:
        nonlocal seen
        seen += 1
        if seen >= expected:
            done.set()

    began = time.perf_counter()
    sub = await platform.js.subscribe(f"{spec.prefix}.>", ordered_consumer=True, cb=count,
                                      stream=spec.name)
    await asyncio.wait_for(done.wait(), timeout=600)
    took = time.perf_counter() - began
    await sub.unsubscribe()
    return took


async def measure(name: str, runner: ProjectionRunner, platform: Platform, stream: str,
                  incremental: dict[str, tuple[int, str]], tables: Sequence[str],
                  extra: Sequence[str]) -> dict[str, Any]:
    info = (await platform.js.stream_info(platform.stream(stream).name)).state
    messages = int(info.messages)
    live_bytes = await size(platform.pool, tables)
    raw_s = await raw_replay(platform, stream, messages)
    began = time.perf_counter()
    applied = await runner.rebuild(progress=lambda _m: None)
    rebuild_s = time.perf_counter() - began
    rebuilt = await digest(platform.pool, [*tables, *extra])
    wrong = [t for t in rebuilt if rebuilt[t] != incremental[t]]
    if wrong:
        table = quote_ident(wrong[0])
        differ = await platform.pool.fetch(
            f"(SELECT 'built incrementally' AS how, t::text AS row FROM bench_{wrong[0]} t"
            f" EXCEPT SELECT 'built incrementally', t::text FROM {table} t) UNION ALL"
            f" (SELECT 'rebuilt', t::text FROM {table} t EXCEPT SELECT 'rebuilt', t::text"
            f" FROM bench_{wrong[0]} t) ORDER BY 2 LIMIT 6")
        for row in differ:
            say(f"  {row['how']}: {row['row'][:60]} ... {row['row'][-260:]}")
        raise RuntimeError(f"{name}: the rebuilt read model differs from the incremental one in "
                           + ", ".join(f"{t} ({incremental[t][0]} rows built incrementally, "
                                       f"{rebuilt[t][0]} rebuilt)" for t in wrong))
    for table in tables:
        await platform.pool.execute(f"VACUUM (FULL, ANALYZE) {quote_ident(table)}")
    compact = await size(platform.pool, tables)
    raw_per_s, rebuild_per_s = messages / raw_s, messages / rebuild_s
    ratio = rebuild_per_s / raw_per_s
    say(f"{name}: {messages:,} messages ({applied:,} events) rebuilt in {rebuild_s:.1f} s, "
        f"{rebuild_per_s:,.0f}/s against {raw_per_s:,.0f}/s raw: ratio {ratio:.2f}"
        f"{'' if ratio >= TARGET else f'  <-- under {TARGET}'}; {compact / messages:,.0f}"
        f" bytes per event ({live_bytes / messages:,.0f} as built live); rows "
        + ", ".join(f"{t} {rebuilt[t][0]:,}" for t in tables))
    return {f"{name}_events": applied, f"{name}_messages": messages,
            f"{name}_rebuild_s": round(rebuild_s, 2), f"{name}_rebuild_per_s": round(rebuild_per_s),
            f"{name}_raw_per_s": round(raw_per_s), f"{name}_rebuild_ratio": round(ratio, 3),
            f"{name}_bytes": compact, f"{name}_bytes_per_event": round(compact / messages),
            f"{name}_live_bytes_per_event": round(live_bytes / messages),
            f"{name}_rows": {t: rebuilt[t][0] for t in tables}}


async def parts(name: str, together: Together, platform: Platform, stream: str, batch: int,
                raw_per_s: float) -> dict[str, Any]:
    """Each part of a consumer that feeds several read models, rebuilt alone: where its time
    goes, and how much of the size is its (its tables, compacted as in :func:`measure`)."""
    found = {}
    for part in together.parts:
        runner = ProjectionRunner(part, platform.stream(stream), platform.nc, platform.pool,
                                  deadletters=platform.stream("deadletter"), batch_size=batch)
        began = time.perf_counter()
        await runner.rebuild(progress=lambda _m: None)
        messages = (await platform.js.stream_info(platform.stream(stream).name)).state.messages
        per_s = int(messages) / (time.perf_counter() - began)
        key = part.name.removeprefix(f"{stream}-").replace("-", "_")
        for table in part.tables:
            await platform.pool.execute(f"VACUUM (FULL, ANALYZE) {quote_ident(table)}")
        kept = await size(platform.pool, part.tables) / int(messages)
        found |= {f"{name}_{key}_per_s": round(per_s), f"{name}_{key}_bytes_per_event":
                  round(kept)}
        say(f"  {part.name} alone: {per_s:,.0f}/s (ratio {per_s / raw_per_s:.2f}),"
            f" {kept:,.0f} bytes per event")
    return found


async def floor(platform: Platform, stream: str, batch: int) -> dict[str, Any]:
    """The runner with a projection that writes nothing, over the whole stream."""
    runner = ProjectionRunner(Nothing(stream), platform.stream(stream), platform.nc,
                              platform.pool, deadletters=platform.stream("deadletter"),
                              batch_size=batch)
    info = (await platform.js.stream_info(platform.stream(stream).name)).state
    began = time.perf_counter()
    await runner.rebuild(progress=lambda _m: None)
    per_s = int(info.messages) / (time.perf_counter() - began)
    say(f"{stream}: {int(info.messages):,} messages, {int(info.bytes) / int(info.messages):,.0f}"
        f" bytes each in the stream; the runner alone reads them at {per_s:,.0f}/s")
    return {f"{stream}_messages": int(info.messages), f"{stream}_noop_per_s": round(per_s),
            f"{stream}_stream_bytes_per_event": round(int(info.bytes) / int(info.messages))}


# -- the run ----------------------------------------------------------------------------------

@contextlib.asynccontextmanager
async def platforms(nats_url: str, dsn: str) -> AsyncIterator[dict[str, Platform]]:
    """engagement's, community's and notify's platforms as their workers open them."""
    ns = "rebuild" + new_id()[:8].lower().replace("_", "")
    secret = secrets.token_urlsafe(32)
    services = {"engagement": (EngagementSettings, engagement_wiring),
                "community": (CommunitySettings, community_wiring),
                "notify": (NotifySettings, notify_wiring)}
    await create_schemas(dsn, *(f"{ns}_{s}" for s in services))
    async with contextlib.AsyncExitStack() as stack:
        opened = {}
        for service, (cls, wiring) in services.items():
            settings = caller_settings(cls, nats_url, dsn, ns, secret, log_level="WARNING")
            opened[service] = await stack.enter_async_context(started(
                settings, migrations=wiring.MIGRATIONS, prepare=wiring.ensure_sources,
                schema=f"{ns}_{service}"))
        yield opened


async def main(args: argparse.Namespace) -> dict[str, Any]:
    began, load = time.perf_counter(), os.getloadavg()[0]
    say("starting nats-server (sync_interval: always) and PostgreSQL (fsync on)")
    with embedded_servers(durable=True) as servers:
        async with platforms(servers.nats_url, servers.postgres_dsn) as opened:
            logging.getLogger("interlude").setLevel(logging.WARNING)
            say("servers up, migrations applied")
            tenant = "org_" + new_id()[:12].lower().replace("_", "x")
            registries: dict[str, EventRegistry] = {
                "engagement": eev.registry, "community": cev.registry, "notify": nev.registry}
            writers = {s: Writer(await p.event_store(s), EventCodec(registries[s], p.sealer),
                                 tenant) for s, p in opened.items()}
            start = datetime.now(UTC).replace(microsecond=0) - args.weeks * WEEK
            year = Year(writers, start)
            live = await wired(opened, args.live_batch)
            say(f"writing {args.weeks} weeks of one organisation, the read models following "
                f"in batches of {args.live_batch}")
            seeding = following = 0.0
            for week in range(args.weeks):
                t = time.perf_counter()
                await year.week(week, args.weeks)
                seeding += time.perf_counter() - t
                t = time.perf_counter()
                for runner in live.values():
                    await runner.catch_up()
                following += time.perf_counter() - t
                if week % 4 == 3 or week == args.weeks - 1:
                    say(f"  week {week + 1}: " + ", ".join(
                        f"{s} {w.written:,}" for s, w in writers.items())
                        + f" commits ({seeding:.0f} s writing, {following:.0f} s following)")
            figures: dict[str, Any] = {}
            for stream in ("engagement", "community", "notify"):
                figures |= await floor(opened[stream], stream, args.batch)
            rebuilding = await wired(opened, args.batch)
            for name, service, _, stream in MEASURED:
                platform, runner = opened[service], rebuilding[name]
                tables, extra = runner.projection.tables, KEPT_BESIDE.get(name, ())
                incremental = await digest(platform.pool, [*tables, *extra])
                for table in (*tables, *extra):  # to show what differs, should anything
                    await platform.pool.execute(f"CREATE TABLE bench_{table} AS"
                                                f" SELECT * FROM {quote_ident(table)}")
                figures |= await measure(name, runner, platform, stream, incremental, tables,
                                         extra)
                if isinstance(runner.projection, Together):
                    figures |= await parts(name, runner.projection, platform, stream,
                                           args.batch, figures[f"{name}_raw_per_s"])
            # closing the connections: their "lost the connection" is no news here
            logging.getLogger("interlude.shared.runtime").setLevel(logging.ERROR)
        say("servers stopped")
    ratios = {n: figures[f"{n}_rebuild_ratio"] for n, *_ in MEASURED}
    worst = min(ratios, key=lambda n: ratios[n])
    say(f"worst ratio: {worst} {ratios[worst]:.2f} (target {TARGET}); seeded in {seeding:.0f} s")
    return {**figures, "worst_ratio": ratios[worst], "worst": worst,
            "ratio_met": ratios[worst] >= TARGET, "target_ratio": TARGET, "weeks": args.weeks,
            "batch": args.batch, "live_batch": args.live_batch,
            "seed_s": round(seeding, 1), "follow_s": round(following, 1),
            "cpu_count": os.cpu_count(), "load_avg_1m_at_start": round(load, 2),
            "quick": args.quick, "seconds": round(time.perf_counter() - began, 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 weeks instead of 52")
    parser.add_argument("--weeks", type=int, default=52, help="weeks of events written")
    parser.add_argument("--batch", type=int, default=200,
                        help="events a rebuild fetches at once (the workers' wiring: 200)")
    parser.add_argument("--live-batch", type=int, default=1,
                        help="the batch of the incremental build (1: event by event)")
    options = parser.parse_args()
    if options.quick:
        options.weeks = 4
    print(json.dumps(asyncio.run(main(options))))
