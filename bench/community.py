"""Community benchmark: how fast members read a space's feed (50 members, 10,000 posts), and
how soon a post shows in the feed.

    uv run python bench/community.py            # about a minute and a half
    uv run python bench/community.py --quick    # a small run, under a minute

The stack is the one ``make run`` has: nats-server (``sync_interval: always``) and PostgreSQL
(fsync on), started here on free ports and stopped by PID at the end, and community's worker
(its read models) in a process of its own, ``python -m interlude.community.worker``, stopped
by PID too. identity and engagement (API and worker) and community's API run in this process
as their tests run them, each API over ``httpx.ASGITransport`` (in-process: a Python load
generator in another process would fight the app for the two cores; see bench/engagement.py).

One organisation, one coach and ``--members`` - 1 coachees, each with a contract agreeing
community participation signed through engagement's API, invited to one pseudonymous cohort
and joined through community's API. ``--posts`` posts are then published by the members in
turn through community's application layer (the API's own code without HTTP, to fill the
space quickly) and projected by the worker. Access tokens are identity's own.

1. Feed reads (``feed_per_s``, ``feed_p50_ms``, ``feed_p99_ms``): ``GET
   /v1/community/spaces/{id}/feed`` by the members in turn, ``--inflight`` at once for
   ``--seconds``; three reads in four are the first page (pinned insights and the 20 newest),
   one in four a page deep in the feed (a cursor taken at a random post). Each read verifies
   the token, checks membership, reads the posts with the reader's reactions, tags and
   shares, opens the 20 sealed bodies, counts the reader's unread posts, and records an access
   event (a JetStream publish, fsynced) naming whose posts were read. Latency is per read,
   under that closed-loop load.
2. Freshness (``fresh_p50_ms``, ``fresh_p99_ms``): open loop at ``--fresh-rate`` posts/s
   through ``POST .../posts``, from each post's scheduled start until the consumer of the
   feed's read models (``community-views``) has committed it (its ``pg_notify``): from then
   ``GET .../feed?after=<position>`` shows it. One post in ``--get-every`` is read back that
   way as a cross-check (``fresh_get_*``).

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
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from interlude.community.app import feed as feed_app
from interlude.community.app import posts as posts_app
from interlude.community.app.deps import Community
from interlude.community.projections.contracts import NAME as CONTRACTS
from interlude.community.testing import RunningCommunity, community_settings, running_community
from interlude.community.wiring import VIEWS
from interlude.engagement.testing import RunningEngagement, engagement_settings, running_engagement
from interlude.engagement.testing import terms as contract_terms
from interlude.identity.testing import Person, RunningIdentity, identity_settings, running_identity
from interlude.shared.events.envelope import Actor
from interlude.shared.testing.load import Sent, create_schemas, ms, paced
from interlude.shared.testing.servers import embedded_servers
from interlude.shared.testing.watch import Visibility, worker_process


def say(message: str) -> None:
    print(f"[community bench] {message}", file=sys.stderr, flush=True)


async def expect(response: httpx.Response, status: int) -> dict[str, Any]:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.method} {response.request.url.path} answered "
                           f"{response.status_code}: {response.text}")
    return response.json()


@dataclass
class Stack:
    identity: RunningIdentity
    engagement: RunningEngagement
    community: RunningCommunity
    worker_pid: int


@contextlib.asynccontextmanager
async def services(nats_url: str, dsn: str) -> AsyncIterator[Stack]:
    namespace = "bench" + uuid.uuid4().hex[:8]
    schemas = [namespace, f"{namespace}_engagement", f"{namespace}_community"]
    await create_schemas(dsn, *schemas)
    id_settings = identity_settings(nats_url, dsn, namespace, access_token_ttl_s=3600)
    assert id_settings.master_secret is not None
    secret = id_settings.master_secret.get_secret_value()
    settings = community_settings(nats_url, dsn, namespace, secret)
    async with running_identity(id_settings, namespace) as identity, running_engagement(
            engagement_settings(nats_url, dsn, namespace, secret), schemas[1],
            identity.app) as engagement, running_community(
            settings, schemas[2], identity.app, with_worker=False) as community:
        with worker_process("interlude.community.worker", settings, schemas[2]) as pid:
            yield Stack(identity, engagement, community, pid)


@dataclass
class Space:
    space_id: str
    coach: Person
    members: list[Person]

    @property
    def path(self) -> str:
        return f"/v1/community/spaces/{self.space_id}"


async def cohort(stack: Stack, size: int) -> Space:
    """A coach and ``size`` - 1 coachees with contracts, all in one pseudonymous space."""
    identity, engagement, api = stack.identity, stack.engagement, stack.community.client
    admin = await identity.organisation("Bench")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    created = await expect(await api.post("/v1/community/spaces", headers=coach.headers, json={
        "name": "Saying no without burning bridges", "pseudonymous": True}), 201)
    space = Space(created["id"], coach, [])
    channels = {"checkins": True, "messaging": True, "community": True}
    waiter = stack.community.app.state.waiter
    stream = engagement.platform.stream("engagement").name
    for i in range(size - 1):
        coachee = await identity.member(admin, "coachee", name=f"Member {i}")
        proposed = await expect(await engagement.client.post("/v1/contracts", headers=coach.headers,
                                json={"coachee_id": coachee.user_id,
                                      "terms": contract_terms(channels=channels)}), 201)
        position = 0
        for party in (coach, coachee):
            signed = await expect(await engagement.client.post(
                f"/v1/contracts/{proposed['id']}/signatures", headers=party.headers, json={}), 200)
            position = signed["position"]
        if not await waiter.wait(CONTRACTS, stream, position, timeout=10):
            raise RuntimeError("community did not learn of the contract in 10 s")
        await expect(await api.post(f"{space.path}/invitations", headers=coach.headers,
                                    json={"user_id": coachee.user_id}), 200)
        await expect(await api.post(f"{space.path}/join", headers=coachee.headers, json={}), 200)
        space.members.append(coachee)
        if (i + 1) % 10 == 0:
            say(f"  {i + 1}/{size - 1} coachees with a contract, invited and joined")
    return space


async def fill(deps: Community, space: Space, posts: int, lanes: int = 16) -> int:
    """``posts`` posts by the members in turn, ``lanes`` at once; the last position."""
    numbers = iter(range(posts))
    last = 0

    async def lane() -> None:
        nonlocal last
        for i in numbers:
            member = space.members[i % len(space.members)]
            ctx = deps.context(member.tenant_id, Actor(member.user_id, ("coachee",)))
            written = await posts_app.publish(deps, ctx, space.space_id, kind="reflection",
                                              body=f"Post {i}: I said no and offered a date.")
            last = max(last, written.position)
            if (i + 1) % 2000 == 0:
                say(f"  {i + 1:,}/{posts:,} posts published")

    await asyncio.gather(*(lane() for _ in range(lanes)))
    return last


async def deep_cursors(pool: asyncpg.Pool, space_id: str, count: int = 200) -> list[str]:
    """Cursors at random posts with at least a page of older posts after them."""
    rows = await pool.fetch("SELECT feed_at, post_id FROM posts WHERE space_id = $1"
                            " ORDER BY feed_at DESC, post_id DESC", space_id)
    deep = random.sample(rows[:-50], min(count, len(rows) - 50))
    return [feed_app.encode_cursor(r["feed_at"], r["post_id"]) for r in deep]


async def feed_reads(stack: Stack, space: Space, args: argparse.Namespace) -> dict[str, Any]:
    api = stack.community.client
    cursors = await deep_cursors(stack.community.platform.pool, space.space_id)
    took: list[float] = []
    numbers = iter(range(sys.maxsize))

    async def lane(until: float) -> None:
        while time.perf_counter() < until:
            i = next(numbers)
            member = space.members[i % len(space.members)]
            params = {"cursor": random.choice(cursors)} if i % 4 == 3 else {}
            began = time.perf_counter()
            page = await expect(await api.get(f"{space.path}/feed", headers=member.headers,
                                              params=params), 200)
            took.append(time.perf_counter() - began)
            if len(page["items"]) != 20:
                raise RuntimeError(f"a feed page held {len(page['items'])} posts, not 20")

    await asyncio.gather(*(lane(time.perf_counter() + 1.0) for _ in range(args.inflight)))
    took.clear()  # warm-up: pools, keys, caches
    began = time.perf_counter()
    await asyncio.gather(*(lane(began + args.seconds) for _ in range(args.inflight)))
    rate = len(took) / (time.perf_counter() - began)
    say(f"feed: {rate:,.0f} reads/s with {args.inflight} in flight, p50 {ms(took, 0.5)} ms, "
        f"p99 {ms(took, 0.99)} ms over {len(took):,} reads")
    return {"feed_per_s": round(rate, 1), "feed_p50_ms": ms(took, 0.5),
            "feed_p99_ms": ms(took, 0.99), "feed_reads": len(took)}


async def freshness(stack: Stack, space: Space, seen: Visibility,
                    args: argparse.Namespace) -> dict[str, Any]:
    api, got = stack.community.client, []

    async def post(i: int) -> int:
        member = space.members[i % len(space.members)]
        written = await expect(await api.post(f"{space.path}/posts", headers=member.headers,
                                              json={"body": f"Fresh post {i}"}), 201)
        return int(written["position"])

    async def read_back(i: int, sent: Sent) -> None:
        if i % args.get_every:
            return
        reader = space.members[(i + 1) % len(space.members)]
        page = await expect(await api.get(f"{space.path}/feed", headers=reader.headers,
                                          params={"after": sent.position}), 200)
        if not page["fresh"] or not any(p["body"] == f"Fresh post {i}" for p in page["items"]):
            raise RuntimeError(f"the feed after {sent.position} misses post {i}")
        got.append(time.perf_counter() - sent.started)

    say(f"freshness: {args.fresh_rate:g} posts/s for {args.paced_seconds:g} s, open loop")
    sent = await paced(args.fresh_rate, args.paced_seconds, post, read_back)
    await seen.settle(max(s.position for s in sent))
    fresh = [at - s.started for s in sent if (at := seen.seen_at(s.position)) is not None]
    say(f"freshness p50 {ms(fresh, 0.5)} ms, p99 {ms(fresh, 0.99)} ms over {len(fresh)} "
        f"posts; read back p50 {ms(got, 0.5)} ms over {len(got)}")
    return {"fresh_p50_ms": ms(fresh, 0.5), "fresh_p99_ms": ms(fresh, 0.99),
            "fresh_posts": len(fresh), "fresh_rate": args.fresh_rate,
            "fresh_get_p50_ms": ms(got, 0.5), "fresh_get_p99_ms": ms(got, 0.99)}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    load = os.getloadavg()[0]
    say("starting nats-server (sync_interval: always) and PostgreSQL (fsync on)")
    with embedded_servers(durable=True) as servers:
        async with services(servers.nats_url, servers.postgres_dsn) as stack:
            logging.getLogger("httpx").setLevel(logging.WARNING)
            say(f"identity, engagement and community up; community's worker is PID "
                f"{stack.worker_pid}")
            say(f"a cohort of {args.members} members (a coach and {args.members - 1} coachees)")
            space = await cohort(stack, args.members)
            seen = Visibility(stack.community.app.state.read_models.stream, VIEWS)
            await seen.start(servers.postgres_dsn)
            try:
                say(f"publishing {args.posts:,} posts")
                filled = time.perf_counter()
                last = await fill(stack.community.app.state.community, space, args.posts)
                await seen.settle(last, timeout=300)
                say(f"  {args.posts:,} posts published and projected in "
                    f"{time.perf_counter() - filled:.1f} s")
                figures = await feed_reads(stack, space, args)
                figures |= await freshness(stack, space, seen, args)
            finally:
                await seen.stop()
    return {**figures, "members": args.members, "posts": args.posts,
            "inflight": args.inflight, "seconds_reading": args.seconds,
            "cpu_count": os.cpu_count(), "load_avg_1m_at_start": round(load, 2),
            "quick": args.quick, "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under a minute")
    parser.add_argument("--members", type=int, default=50, help="the coach and coachees")
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--inflight", type=int, default=8, help="feed reads at once")
    parser.add_argument("--seconds", type=float, default=15.0, help="seconds of feed reads")
    parser.add_argument("--fresh-rate", type=float, default=50.0, help="posts/s")
    parser.add_argument("--paced-seconds", type=float, default=15.0)
    parser.add_argument("--get-every", type=int, default=10,
                        help="read one post in this many back from the feed")
    options = parser.parse_args()
    if options.quick:
        options.posts, options.seconds, options.paced_seconds = 2_000, 5.0, 5.0
    print(json.dumps(asyncio.run(main(options))))
