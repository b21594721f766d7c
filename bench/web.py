"""web benchmark: the coach's dashboard page beside the engagement API call it is built from.

    uv run python bench/web.py            # about a minute
    uv run python bench/web.py --quick    # a small run, well under a minute

nats-server and PostgreSQL start here on free ports (stopped by PID at the end); identity (API
and worker), engagement (API, and its projections as tasks) and notify (API and worker: every
page's header shows the unread count) run in this process as their tests run them, and web in
front of them, calling them over ``httpx.ASGITransport`` (in-process, as
``bench/engagement.py`` calls engagement: on two shared cores a load generator in another
process would measure client and server fighting for them). One organisation, one coach with
``--coachees`` coachees (50), each with an active contract and a check-in, so every dashboard
line has its facts; the page and the API call show the first page of them (20 lines) with the
totals of all. The coach signs in through web's sign-in form; identity's access tokens
live an hour here, so none is refreshed mid-run.

1. Rate: ``GET /dashboard`` at web (``page_per_s``: the session looked up, the API called with
   the coach's token, the page rendered with Jinja2 and sent with its headers) against
   ``GET /v1/dashboard`` at engagement (``api_per_s``), ``--inflight`` requests at once, in
   ``--rounds`` rounds of ``--seconds`` that alternate between the two; figures are the
   medians of the rounds. ``page_ratio`` = page / API (target >= 0.5): what rendering costs.
2. Latency (``page_p50_ms``, ``page_p99_ms``, target p99 <= 50 ms): ``--latency-requests``
   page requests one after another (no queueing of this client's own making).

Progress goes to stderr; the last line on stdout is one JSON object with the figures. A missed
target is reported (``*_met``), not an error; a failed request is.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import re
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from interlude.engagement.testing import (
    RunningEngagement,
    engagement_settings,
    running_engagement,
    terms,
)
from interlude.identity.testing import Person, RunningIdentity, identity_settings, running_identity
from interlude.notify.testing import notify_settings, running_notify
from interlude.shared.testing.load import create_schemas, for_a_while, ms
from interlude.shared.testing.servers import embedded_servers
from interlude.web.main import create_app
from interlude.web.settings import WebSettings
from interlude.web.testing import refusing, url_of

TARGETS = {"page_ratio": 0.5, "page_p99_ms": 50.0}


def say(message: str) -> None:
    print(f"[web bench] {message}", file=sys.stderr, flush=True)


@dataclass
class Stack:
    identity: RunningIdentity
    engagement: RunningEngagement
    web: httpx.AsyncClient


@contextlib.asynccontextmanager
async def services(nats_url: str, dsn: str) -> AsyncIterator[Stack]:
    namespace = "bench" + uuid.uuid4().hex[:8]
    schema, notify_schema = f"{namespace}_engagement", f"{namespace}_notify"
    await create_schemas(dsn, namespace, schema, notify_schema)
    id_settings = identity_settings(nats_url, dsn, namespace, access_token_ttl_s=3600)
    assert id_settings.master_secret is not None
    secret = id_settings.master_secret.get_secret_value()
    settings = engagement_settings(nats_url, dsn, namespace, secret)
    async with running_identity(id_settings, namespace) as identity, running_engagement(
            settings, schema, identity.app) as engagement, running_notify(
            notify_settings(nats_url, dsn, namespace, secret), notify_schema,
            identity.app) as notify:
        transports: dict[str, httpx.AsyncBaseTransport] = {
            "identity": httpx.ASGITransport(app=identity.app),
            "engagement": httpx.ASGITransport(app=engagement.app),
            "notify": httpx.ASGITransport(app=notify.app)}
        # no community here: refused at once (the dashboard's cohorts), never its default port
        with refusing() as closed:
            app = create_app(WebSettings(log_json=False, log_level="WARNING",
                                         community_url=url_of(closed)), transports=transports)
            async with app.router.lifespan_context(app), httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as web:
                yield Stack(identity, engagement, web)


async def expect(response: httpx.Response, status: int) -> httpx.Response:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.method} {response.request.url.path} answered "
                           f"{response.status_code}: {response.text[:300]}")
    return response


async def cast(stack: Stack, coachees: int) -> Person:
    """A coach with ``coachees`` active contracts, a check-in on each; she is returned."""
    identity, api = stack.identity, stack.engagement.client
    admin = await identity.organisation("Bench")
    coach = await identity.member(admin, "coach", name="Claire Coach")
    for i in range(coachees):
        coachee = await identity.member(admin, "coachee", name=f"Coachee {i}")
        deadline = time.monotonic() + 60
        while True:  # engagement learns of the coachee from identity's stream
            proposed = await api.post("/v1/contracts", headers=coach.headers, json={
                "coachee_id": coachee.user_id, "terms": terms()})
            if proposed.status_code != 422 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        contract_id = (await expect(proposed, 201)).json()["id"]
        for party in (coach, coachee):
            await expect(await api.post(f"/v1/contracts/{contract_id}/signatures",
                                        headers=party.headers, json={}), 200)
        await expect(await api.post(f"/v1/contracts/{contract_id}/check-ins",
                                    headers=coachee.headers,
                                    json={"text": "a week of small steps", "mood": 1 + i % 5}),
                     201)
    return coach


async def signed_in(web: httpx.AsyncClient, coach: Person) -> None:
    """The coach signs in through web's form; the client keeps the session cookie."""
    form = await expect(await web.get("/sign-in"), 200)
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token is not None
    await expect(await web.post("/sign-in", data={"csrf": token[1], "email": coach.email,
                                                  "password": coach.password}), 303)


async def measure(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    coach = await cast(stack, args.coachees)
    await signed_in(stack.web, coach)
    api, web = stack.engagement.client, stack.web

    async def page(_: int) -> int:
        answer = await web.get("/dashboard")
        if answer.status_code != 200 or "Coachee 0" not in answer.text or \
                'id="unread-badge"' not in answer.text:
            raise RuntimeError(f"the dashboard page answered {answer.status_code}")
        return 0

    async def call(_: int) -> int:
        await expect(await api.get("/v1/dashboard", headers=coach.headers), 200)
        return 0

    deadline = time.monotonic() + 60
    while '<span id="unread-badge">' not in (await web.get("/dashboard")).text:
        if time.monotonic() > deadline:  # notify tells the coach of the 50 check-ins
            raise RuntimeError("the dashboard page never showed an unread count")
        await asyncio.sleep(0.5)
    board = (await expect(await api.get("/v1/dashboard", headers=coach.headers), 200)).json()
    if board["total"] != args.coachees or len(board["coachees"]) != min(args.coachees, 20):
        raise RuntimeError(f"the dashboard has {board['total']} coachees")
    for one in (page, call):  # warm-up: pools, caches, templates compiled
        await for_a_while(1.0, args.inflight, one)
    pages, calls = [], []
    for round_ in range(args.rounds):
        pages.append(await for_a_while(args.seconds, args.inflight, page))
        calls.append(await for_a_while(args.seconds, args.inflight, call))
        say(f"round {round_ + 1}: page {pages[-1]:.0f}/s, API {calls[-1]:.0f}/s")
    durations = []
    for number in range(args.latency_requests):
        begun = time.perf_counter()
        await page(number)
        durations.append(time.perf_counter() - begun)
    page_rate, api_rate = statistics.median(pages), statistics.median(calls)
    return {"page_per_s": round(page_rate, 1), "api_per_s": round(api_rate, 1),
            "page_ratio": round(page_rate / api_rate, 3), "page_p50_ms": ms(durations, 0.5),
            "page_p99_ms": ms(durations, 0.99)}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    load = os.getloadavg()[0]
    say("starting nats-server (sync_interval: always) and PostgreSQL (fsync on)")
    with embedded_servers(durable=True) as servers:
        async with services(servers.nats_url, servers.postgres_dsn) as stack:
            logging.getLogger("httpx").setLevel(logging.WARNING)
            say(f"identity, engagement and web up; {args.coachees} coachees to sign")
            figures = await measure(stack, args)
    met = {"page_ratio_met": figures["page_ratio"] >= TARGETS["page_ratio"],
           "page_p99_met": figures["page_p99_ms"] <= TARGETS["page_p99_ms"]}
    say("targets: " + ", ".join(f"{k.removesuffix('_met')} {'met' if v else 'MISSED'}"
                                for k, v in met.items()))
    return {**figures, **met, "targets": TARGETS, "coachees": args.coachees,
            "inflight": args.inflight, "rounds": args.rounds, "round_seconds": args.seconds,
            "latency_requests": args.latency_requests, "cpu_count": os.cpu_count(),
            "load_avg_1m_at_start": round(load, 2), "python": sys.version.split()[0],
            "quick": args.quick, "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, well under a minute")
    parser.add_argument("--coachees", type=int, default=50)
    parser.add_argument("--inflight", type=int, default=4, help="requests at once (rate)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per rate round")
    parser.add_argument("--latency-requests", type=int, default=500)
    options = parser.parse_args()
    if options.quick:
        options.rounds, options.seconds, options.latency_requests = 3, 1.5, 200
    print(json.dumps(asyncio.run(main(options))))
