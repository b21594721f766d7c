"""Engagement benchmark: what an authenticated check-in post costs beside a bare route, its
latency under a steady 300 posts/s, and how soon a post shows on the coach's dashboard.

    uv run python bench/engagement.py            # about a minute and a half
    uv run python bench/engagement.py --quick    # a small run, under a minute

The stack is the one ``make run`` has: nats-server (``sync_interval: always``) and PostgreSQL
(fsync on), started here on free ports and stopped by PID at the end, and engagement's worker
(its projections, the dashboard among them) in a process of its own, ``python -m
interlude.engagement.worker``, stopped by PID too (``--worker-in-process`` runs them as tasks
on this event loop instead, as engagement's tests do). identity (API and worker) and
engagement's API run in this process as their tests run them (``running_identity``,
``running_engagement``), each API over ``httpx.ASGITransport``; engagement has its own
PostgreSQL schema beside identity's and the same master secret. One organisation, ``--coaches``
coaches and ``--contracts`` coachees, each with an active contract (check-ins agreed) signed by
both parties through the API; the coachees post in turn, so posts spread over that many
contracts, each a new check-in aggregate. Access tokens are identity's own (signed in, valid
for an hour here so none expires mid-run). Figures come after a warm-up (every contract loaded,
the JWKS fetched, the pools open). httpx's INFO line per request is silenced: it is the
client's, not the service's.

1. Rate: ``POST /v1/contracts/{id}/check-ins`` (``checkin_per_s``) against
   ``POST /v1/contracts/{id}/check-ins/bare`` (``bare_per_s``), a route added to engagement's
   own check-ins router before the app is built. It takes the same path parameter and the same
   body (parsed into the same ``CheckInCreate``), gets the same ``Authorization`` header
   (unread) and answers the same 201 body, behind the same middleware (request id, body limit,
   problems, OpenTelemetry with no exporter) and found by the same route matching (which costs
   engagement's app a few hundred microseconds for a route at the end of its list, so where
   the route sits matters). So the ratio is what the check-in's own work costs: verifying the
   token (Ed25519, revocation look-up), its dependencies, the policy, the contract (cached),
   sealing the text and the JetStream append with its fsync, and the worker projecting it,
   which competes for the same two cores. Not a second app from ``create_app``: that would
   leave out engagement's routing and compare two apps rather than one route's work. The same
   ``httpx.AsyncClient`` drives both, ``--inflight`` requests at once, in rounds of
   ``--seconds`` that alternate between the two so whatever else the machine does falls on
   both alike; figures are the medians of the rounds (``checkin_cost_ms``: the extra time per
   post at those rates). In-process, not uvicorn plus a load generator in another process:
   this machine has two cores shared with nats-server, PostgreSQL and the worker, and a Python
   client spends about as much CPU per request as the app, so that figure would measure client
   and server fighting for the cores. The client's share is in both routes alike and pulls the
   ratio towards 1.

2. Latency (``p50_ms``, ``p99_ms``): open loop at ``--latency-rate`` posts/s (300): a post
   is started every 1/300 s whether or not earlier ones have answered, each as its own task,
   and its latency runs from its scheduled start to its answer, so a stall counts against
   every post that should have gone out during it (no coordinated omission).

3. Freshness (``fresh_p50_ms``, ``fresh_p99_ms``): open loop at ``--fresh-rate`` posts/s
   (200), from each post's scheduled start until it is visible on the dashboard. Visible means
   the consumer of engagement's read models (``engagement-views``, the dashboard among them)
   has committed the batch holding the post's stream position (the ``position`` the post
   answered): from that moment ``GET /v1/dashboard?after=<position>`` answers at once with the
   post counted. The projection announces each commit with ``pg_notify``; this benchmark
   LISTENs on its own connection and timestamps every announcement, as the API's
   ``PositionWaiter`` does. As a cross-check one
   post in ``--get-every`` is read back as the coach would (``fresh_get_*``: from the post's
   start until ``GET /v1/dashboard?after=`` answered, fresh, with the post's contract in it).
   At the end every coach's dashboard must count exactly the check-ins posted to each contract,
   or the benchmark fails.

Progress goes to stderr; the last line on stdout is one JSON object with the figures. Missed
targets are reported (``*_met``), not an error; failed requests are.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from interlude.engagement.api import checkins
from interlude.engagement.api.deps import ContractId
from interlude.engagement.api.schemas import CheckInCreate
from interlude.engagement.testing import (
    RunningEngagement,
    engagement_settings,
    running_engagement,
    terms,
)
from interlude.engagement.wiring import VIEWS as DASHBOARD  # the dashboard is one of them
from interlude.identity.testing import Person, RunningIdentity, identity_settings, running_identity
from interlude.shared.kit import WrittenPublic
from interlude.shared.testing.cpu import cpu_per, cpu_seconds
from interlude.shared.testing.load import Sent, create_schemas, for_a_while, ms, paced
from interlude.shared.testing.servers import embedded_servers
from interlude.shared.testing.watch import Visibility, worker_process

# issue 12: a check-in costs at most its bare route again; p99 within 25 ms at 300 posts/s
TARGETS = {"checkin_ratio": 0.50, "p99_ms": 25.0, "fresh_p50_ms": 15.0, "fresh_p99_ms": 100.0}


def say(message: str) -> None:
    print(f"[engagement bench] {message}", file=sys.stderr, flush=True)


# -- the stack and the people on it ---------------------------------------------------------

@dataclass
class Stack:
    identity: RunningIdentity
    engagement: RunningEngagement
    worker: str  # where engagement's projections run
    worker_pid: int | None  # None when they run as tasks in this process


@contextlib.asynccontextmanager
async def services(nats_url: str, dsn: str, separate_worker: bool) -> AsyncIterator[Stack]:
    """identity (API and worker) and engagement's API in this process, each service in a
    schema of its own; engagement's worker in its own process or as tasks here."""
    namespace = "bench" + uuid.uuid4().hex[:8]
    schema = f"{namespace}_engagement"
    await create_schemas(dsn, namespace, schema)
    id_settings = identity_settings(nats_url, dsn, namespace, access_token_ttl_s=3600)
    assert id_settings.master_secret is not None
    settings = engagement_settings(nats_url, dsn, namespace,
                                   id_settings.master_secret.get_secret_value())
    async with running_identity(id_settings, namespace) as identity, running_engagement(
            settings, schema, identity.app, with_worker=not separate_worker) as engagement:
        with contextlib.ExitStack() as stack:
            where, pid = "tasks in this process", None
            if separate_worker:
                pid = stack.enter_context(worker_process("interlude.engagement.worker", settings,
                                                           schema))
                where = f"its own process (PID {pid})"
            yield Stack(identity, engagement, where, pid)


def add_bare_route() -> None:
    """``POST /v1/contracts/{id}/check-ins/bare``: the check-in route's parameters and answer,
    none of its work, in the check-ins router so it is matched as deep as the real one."""

    @checkins.router.post("/bare", status_code=201)
    async def bare(contract_id: ContractId, body: CheckInCreate) -> WrittenPublic:
        return WrittenPublic(id=contract_id, position=0)


async def expect(response: httpx.Response, status: int) -> dict[str, Any]:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.method} {response.request.url.path} answered "
                           f"{response.status_code}: {response.text}")
    return response.json()


@dataclass
class Pair:
    coach: Person
    coachee: Person
    contract_id: str


async def contract(engagement: RunningEngagement, coach: Person, coachee: Person) -> str:
    api = engagement.client
    body = {"coachee_id": coachee.user_id, "terms": terms()}
    deadline = time.monotonic() + 60
    # a coachee is known to engagement once its worker has projected identity's events: the
    # worker in its own process may still be starting (imports take seconds on a busy machine)
    while True:
        answer = await api.post("/v1/contracts", headers=coach.headers, json=body)
        if answer.status_code != 422 or "coachee" not in answer.text \
                or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    proposed = await expect(answer, 201)
    for party in (coach, coachee):
        await expect(await api.post(f"/v1/contracts/{proposed['id']}/signatures",
                                    headers=party.headers, json={}), 200)
    return str(proposed["id"])


async def cast(identity: RunningIdentity, engagement: RunningEngagement, contracts: int,
               coaches: int) -> list[Pair]:
    admin = await identity.organisation("Bench")
    coaching = [await identity.member(admin, "coach", name=f"Coach {i}") for i in range(coaches)]
    pairs = []
    for i in range(contracts):
        coach = coaching[i % coaches]
        coachee = await identity.member(admin, "coachee", name=f"Coachee {i}")
        pairs.append(Pair(coach, coachee, await contract(engagement, coach, coachee)))
    return pairs


# -- posting --------------------------------------------------------------------------------

@dataclass
class Poster:
    """Check-ins by the coachees in turn, and the bare route with the same request."""

    client: httpx.AsyncClient
    pairs: list[Pair]
    posted: Counter[str] = field(default_factory=Counter)
    last_position: int = 0

    def _request(self, i: int) -> tuple[Pair, dict[str, Any]]:
        pair = self.pairs[i % len(self.pairs)]
        return pair, {"text": f"Bench check-in {i}: said no to the extra project, kindly.",
                      "mood": 1 + i % 5, "small_win": i % 3 == 0}

    async def checkin(self, i: int) -> int:
        pair, body = self._request(i)
        written = await expect(await self.client.post(
            f"/v1/contracts/{pair.contract_id}/check-ins", headers=pair.coachee.headers,
            json=body), 201)
        self.posted[pair.contract_id] += 1
        self.last_position = max(self.last_position, written["position"])
        return int(written["position"])

    async def bare(self, i: int) -> int:
        pair, body = self._request(i)
        await expect(await self.client.post(f"/v1/contracts/{pair.contract_id}/check-ins/bare",
                                            headers=pair.coachee.headers, json=body), 201)
        return 0


# -- part 1: rate ---------------------------------------------------------------------------

async def rates(poster: Poster, args: argparse.Namespace,
                processes: dict[str, int | None]) -> dict[str, Any]:
    calls = {"bare": poster.bare, "checkin": poster.checkin}
    results: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, dict[str, float]] = {name: {} for name in calls}  # seconds, summed
    done = dict.fromkeys(calls, 0)
    for one in calls.values():  # warm-up, not counted
        await for_a_while(args.seconds / 3, args.inflight, one)
    for round_ in range(args.rounds):
        order = list(calls) if round_ % 2 == 0 else list(reversed(calls))
        for name in order:
            before, began = cpu_seconds(processes, with_children=("postgres",)), time.perf_counter()
            rate = await for_a_while(args.seconds, args.inflight, calls[name])
            count = round(rate * (time.perf_counter() - began))
            after = cpu_seconds(processes, with_children=("postgres",))
            for where, used in after.items():
                cpu[name][where] = cpu[name].get(where, 0.0) + used - before[where]
            done[name] += count
            results[name].append(rate)
        say(f"rate round {round_ + 1}/{args.rounds} ({args.inflight} in flight, "
            f"{args.seconds:g} s each): bare {results['bare'][-1]:,.0f}/s, "
            f"check-in {results['checkin'][-1]:,.0f}/s")
    bare, checkin = (statistics.median(results[n]) for n in ("bare", "checkin"))
    per = {name: cpu_per(dict.fromkeys(cpu[name], 0.0), cpu[name], done[name]) for name in calls}
    say(f"CPU µs per request, by process: bare {per['bare']}, check-in {per['checkin']}")
    return {"checkin_per_s": round(checkin, 1), "bare_per_s": round(bare, 1),
            "checkin_ratio": round(checkin / bare, 3),
            "checkin_cost_ms": round(1000 / checkin - 1000 / bare, 3),
            "bare_cpu_us": per["bare"], "checkin_cpu_us": per["checkin"]}


# -- parts 2 and 3: paced posts -------------------------------------------------------------

async def latency(poster: Poster, args: argparse.Namespace) -> dict[str, Any]:
    say(f"latency: {args.latency_rate:g} posts/s for {args.paced_seconds:g} s, open loop")
    sent = await paced(args.latency_rate, args.paced_seconds, poster.checkin)
    took = [s.answered - s.started for s in sent]
    say(f"latency p50 {ms(took, 0.5)} ms, p99 {ms(took, 0.99)} ms, max {ms(took, 1.0)} ms "
        f"over {len(took)} posts")
    return {"p50_ms": ms(took, 0.5), "p99_ms": ms(took, 0.99), "max_ms": ms(took, 1.0),
            "latency_posts": len(took), "latency_rate": args.latency_rate}


async def freshness(poster: Poster, seen: Visibility, args: argparse.Namespace) -> dict[str, Any]:
    got: list[float] = []

    async def read_back(i: int, sent: Sent) -> None:
        if i % args.get_every:
            return
        pair = poster.pairs[i % len(poster.pairs)]
        board = await expect(await poster.client.get(
            f"/v1/dashboard?after={sent.position}&limit=100", headers=pair.coach.headers), 200)
        rows = {row["contract_id"]: row for row in board["coachees"]}
        row = rows.get(pair.contract_id)
        if not board["fresh"] or row is None or not row["checkins"]:
            raise RuntimeError(f"the dashboard after {sent.position} misses the check-in")
        got.append(time.perf_counter() - sent.started)

    say(f"freshness: {args.fresh_rate:g} posts/s for {args.paced_seconds:g} s, open loop; "
        f"one in {args.get_every} read back from the dashboard")
    sent = await paced(args.fresh_rate, args.paced_seconds, poster.checkin, read_back)
    await seen.settle(max(s.position for s in sent))
    fresh = [seen_at - s.started for s in sent
             if (seen_at := seen.seen_at(s.position)) is not None]
    posts = [s.answered - s.started for s in sent]
    say(f"freshness p50 {ms(fresh, 0.5)} ms, p99 {ms(fresh, 0.99)} ms over {len(fresh)} posts "
        f"(post p50 {ms(posts, 0.5)} ms); read back p50 {ms(got, 0.5)} ms, "
        f"p99 {ms(got, 0.99)} ms over {len(got)}")
    return {"fresh_p50_ms": ms(fresh, 0.5), "fresh_p99_ms": ms(fresh, 0.99),
            "fresh_max_ms": ms(fresh, 1.0), "fresh_posts": len(fresh),
            "fresh_rate": args.fresh_rate, "fresh_post_p50_ms": ms(posts, 0.5),
            "fresh_post_p99_ms": ms(posts, 0.99), "fresh_get_p50_ms": ms(got, 0.5),
            "fresh_get_p99_ms": ms(got, 0.99), "fresh_gets": len(got)}


async def verify(poster: Poster) -> int:
    """Every coach's dashboard counts exactly the check-ins posted to each contract."""
    coaches = {pair.coach.user_id: pair.coach for pair in poster.pairs}
    for coach in coaches.values():
        board = await expect(await poster.client.get(
            f"/v1/dashboard?after={poster.last_position}&limit=100", headers=coach.headers), 200)
        counted = {row["contract_id"]: row["checkins"] for row in board["coachees"]}
        for pair in (p for p in poster.pairs if p.coach is coach):
            if not board["fresh"] or counted.get(pair.contract_id) != poster.posted[
                    pair.contract_id]:
                raise RuntimeError(f"the dashboard counts {counted.get(pair.contract_id)} "
                                   f"check-ins for {pair.contract_id}, "
                                   f"{poster.posted[pair.contract_id]} were posted")
    return sum(poster.posted.values())


# -- the run --------------------------------------------------------------------------------

async def measure(stack: Stack, dsn: str, args: argparse.Namespace,
                  processes: dict[str, int | None]) -> dict[str, Any]:
    engagement = stack.engagement
    say(f"registering {args.coaches} coaches and {args.contracts} coachees, "
        f"each coachee with a contract proposed and signed")
    pairs = await cast(stack.identity, engagement, args.contracts, args.coaches)
    poster = Poster(engagement.client, pairs)
    seen = Visibility(engagement.app.state.read_models.stream, DASHBOARD)
    await seen.start(dsn)
    try:
        say("warming up: a few check-ins on every contract")
        for i in range(len(pairs) * 3):
            await poster.checkin(i)
        figures: dict[str, Any] = {}
        await seen.settle(poster.last_position)
        figures |= await rates(poster, args, processes)
        await seen.settle(poster.last_position)
        figures |= await latency(poster, args)
        await seen.settle(poster.last_position)
        figures |= await freshness(poster, seen, args)
        total = await verify(poster)
        say(f"verified: the dashboards count all {total:,} check-ins")
    finally:
        await seen.stop()
    return figures | {"checkins_verified": total}


def targets(figures: dict[str, Any]) -> dict[str, bool]:
    met = {"checkin_ratio_met": figures["checkin_ratio"] >= TARGETS["checkin_ratio"]}
    for key in ("p99_ms", "fresh_p50_ms", "fresh_p99_ms"):
        met[f"{key.removesuffix('_ms')}_met"] = figures[key] <= TARGETS[key]
    return met


async def main(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    load = os.getloadavg()[0]
    add_bare_route()
    say("starting nats-server (sync_interval: always) and PostgreSQL (fsync on)")
    with embedded_servers(durable=True) as servers:
        say(f"servers up in {time.perf_counter() - started:.1f} s (PIDs {servers.pids})")
        async with services(servers.nats_url, servers.postgres_dsn,
                            not args.worker_in_process) as stack:
            say(f"identity and engagement up; engagement's worker runs as {stack.worker}")
            # httpx logs every request at INFO: the client's line, not the service's
            logging.getLogger("httpx").setLevel(logging.WARNING)
            nats, postgres = servers.pids
            processes = {"worker": stack.worker_pid, "nats": nats, "postgres": postgres}
            figures = await measure(stack, servers.postgres_dsn, args, processes)
    met = targets(figures)
    say("targets: " + ", ".join(f"{k.removesuffix('_met')} {'met' if v else 'MISSED'}"
                                for k, v in met.items()))
    return {**figures, **met, "targets": TARGETS, "inflight": args.inflight,
            "contracts": args.contracts, "coaches": args.coaches, "rounds": args.rounds,
            "round_seconds": args.seconds, "paced_seconds": args.paced_seconds,
            "worker_in_process": args.worker_in_process, "cpu_count": os.cpu_count(),
            "load_avg_1m_at_start": round(load, 2), "python": sys.version.split()[0],
            "quick": args.quick,
            "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under a minute")
    parser.add_argument("--contracts", type=int, default=20, help="coachees, one contract each")
    parser.add_argument("--coaches", type=int, default=4)
    parser.add_argument("--inflight", type=int, default=8, help="requests at once (rate)")
    parser.add_argument("--rounds", type=int, default=5, help="rate rounds of each route")
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per rate round")
    parser.add_argument("--paced-seconds", type=float, default=20.0,
                        help="seconds of paced posts for latency and for freshness")
    parser.add_argument("--latency-rate", type=float, default=300.0, help="posts/s")
    parser.add_argument("--fresh-rate", type=float, default=200.0, help="posts/s")
    parser.add_argument("--worker-in-process", action="store_true",
                        help="run engagement's projections as tasks here, as its tests do")
    parser.add_argument("--get-every", type=int, default=20,
                        help="read one post in this many back from the dashboard")
    options = parser.parse_args()
    if options.quick:
        options.rounds, options.seconds, options.paced_seconds = 3, 1.5, 5.0
    print(json.dumps(asyncio.run(main(options))))
