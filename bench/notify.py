"""notify benchmark: how fast notify turns other services' events into notifications (fan-out)
beside how fast a consumer merely reads the same events, and how soon a notification reaches a
live inbox (Server-Sent Events) after the event that caused it.

    uv run python bench/notify.py            # about a minute
    uv run python bench/notify.py --quick    # a small run, under a minute

The stack is the one ``make run`` has: nats-server (``sync_interval: always``) and PostgreSQL
(fsync on), started here on free ports and stopped by PID at the end. identity runs in this
process as its tests run it (an organisation and a coachee with a token).

1. Fan-out (``fanout_per_s``, ``raw_per_s``, ``fanout_ratio``): ``--contracts`` active
   contracts and ``--events`` coach replies (``engagement.MessageSent``, the body sealed under
   the coachee's key, as engagement writes them) are appended to engagement's stream first.
   ``raw_per_s``: a consumer with the same runner (durable pull, checkpoint in PostgreSQL per
   batch, the same batch size) and nothing to do reads them all, five times over (a consumer
   of its own each time; the median rate, as one run lasts only tens of milliseconds).
   ``fanout_per_s``: notify's consumers start on the same events (``notify-engagement``:
   contracts kept, each reply reacted to, its body opened and sealed again into a
   ``NotificationQueued`` appended to notify's stream at expected sequence 0 and its inbox row
   stored in the same transaction as the checkpoint; ``notify-inbox`` beside it, following
   notify's stream), from the start until the last notification is stored in the inbox (the
   unread counts kept with its rows, polled): notifications stored per second.
   ``followed_per_s``: until the inbox's consumer has also followed notify's stream to its end.
   ``outbox_per_s``: then the outbound side's consumer of notify's stream (the worker's child
   process runs it) through the same notifications: each one's e-mail and webhook deliveries
   decided (policy, preferences, quiet hours, subscribed endpoints) and their timers set.
   ``*_cpu_us``: CPU microseconds per event (raw) or notification, of this process, of
   nats-server and of PostgreSQL (from /proc), which say what each costs where the rate only
   says how long it took on a machine shared with other work. Beside it (``append_per_s``,
   measured last, once live delivery is over, so that notify's worker does not follow them
   meanwhile), the same number of notifications appended alone, a consumer batch at a time
   (``Repository.create_many``: JetStream atomic batches, one fsync each), with no event read
   and nothing decided.
2. Live delivery (``sse_p50_ms``, ``sse_p99_ms``): notify's worker in a process of its own
   (``python -m interlude.notify.worker``, stopped by PID) and its API in this process on a
   real port; one coachee follows ``GET /v1/notify/stream`` over a real connection. Coach
   replies are appended to engagement's stream open loop at ``--rate`` per second; latency is
   from just before each append to the client's receipt of its ``notification`` event
   (``stored_p50_ms``, ``stored_p99_ms``: to the announcement of its inbox row on commit, as
   the API hears it). ``sse_worker_cpu_us``: CPU per notification of the worker's telling
   process (its child delivers: ADR 0009).

Progress goes to stderr; the last line on stdout is one JSON object with the figures.
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
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx

from interlude.identity.testing import Person, RunningIdentity, identity_settings, running_identity
from interlude.notify import outbound
from interlude.notify.app.live import CHANNEL
from interlude.notify.domain.events import NotificationQueued
from interlude.notify.projections import engagement_events as eng
from interlude.notify.settings import NotifySettings
from interlude.notify.testing import RunningNotify, notify_settings, running_notify
from interlude.notify.wiring import build_notify, runners
from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import Actor
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.repository import Created
from interlude.shared.kit import command_context, utc_now
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform
from interlude.shared.sealing import Secret
from interlude.shared.testing.cpu import cpu_per, cpu_seconds
from interlude.shared.testing.inprocess import served
from interlude.shared.testing.load import create_schemas, ms, paced
from interlude.shared.testing.servers import embedded_servers
from interlude.shared.testing.watch import worker_process
from interlude.shared.trust.cache import TrustCache

COACH = "bench-coach"
RAW_RUNS = 5  # the raw consumer reads the events this many times over (the median rate counts)
BATCH = 200  # events a consumer fetches at once, as notify's worker does (wiring.runners)


def say(message: str) -> None:
    print(f"[notify bench] {message}", file=sys.stderr, flush=True)


class Raw(Projection):
    """A consumer that reads every event and does nothing with it: the floor of any reaction."""

    name = "bench-raw"

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        return None


class Engagement:
    """engagement's events written as engagement writes them (sealed), on its stream."""

    def __init__(self, platform: Platform, tenant_id: str) -> None:
        self.platform, self.tenant_id = platform, tenant_id
        self.codec = EventCodec(eng.engagement, platform.sealer)

    async def append(self, contract_id: str, event: Event) -> None:
        ctx = command_context(self.tenant_id, Actor(COACH, ("coach",)), utc_now())
        envelope = await self.codec.encode(event, ctx, contract_id)
        store = await self.platform.event_store("engagement")
        subject = self.platform.stream("engagement").subject(self.tenant_id, "contract",
                                                             contract_id)
        await store.append(subject, [envelope], expected_last_seq=None)

    async def contract(self, contract_id: str, coachee_id: str) -> None:
        terms = eng.Terms(allowance=eng.Allowance(kind="per_message", replies_per_month=None))
        await self.append(contract_id, eng.ContractActivated(
            coach_id=COACH, coachee_id=coachee_id, terms=terms))

    async def reply(self, contract_id: str, coachee_id: str, number: int) -> str:
        message_id = f"m{number}"
        await self.append(contract_id, eng.MessageSent(
            contract_id=contract_id, message_id=message_id, sender_id=COACH, party="coach",
            coachee_id=coachee_id, body=Secret(f"Reply {number}: well done", coachee_id),
            month="2026-12", counted=False))
        return message_id


async def lanes(count: int, inflight: int, one: Any) -> None:
    numbers = iter(range(count))

    async def lane() -> None:
        for i in numbers:
            await one(i)

    await asyncio.gather(*(lane() for _ in range(inflight)))


async def inbox_rows(pool: asyncpg.Pool) -> int:
    """Rows in the inbox, none read yet: the sum of the unread counts kept with them (one row
    per recipient), which the poll every 10 ms reads at a constant cost where ``count(*)``
    walked the growing inbox (up to a tenth of PostgreSQL's CPU per notification)."""
    return int(await pool.fetchval("SELECT coalesce(sum(unread), 0) FROM inbox_unread_counts"))


async def notify_last(platform: Platform) -> int:
    return await (await platform.event_store("notify")).last_position()


async def fanout(platform: Platform, writer: Engagement, args: argparse.Namespace,
                 pids: tuple[int | None, ...]) -> dict[str, Any]:
    servers = {"nats": pids[0], "postgres": pids[1]}

    def used() -> dict[str, float]:
        return cpu_seconds(servers, with_children=("postgres",))

    coachees = [f"coachee{i}" for i in range(args.contracts)]
    await lanes(args.contracts, 16, lambda i: writer.contract(f"c{i}", coachees[i]))
    await lanes(args.events, 64, lambda i: writer.reply(
        f"c{i % args.contracts}", coachees[i % args.contracts], i))
    total = args.contracts + args.events
    say(f"{args.contracts} contracts and {args.events:,} coach replies in engagement's stream")

    dead = platform.stream("deadletter")
    rates, cpu = [], used()
    for i in range(RAW_RUNS):  # a run is a few tens of ms: one alone said more of the machine
        named = type("Raw", (Raw,), {"name": f"{Raw.name}-{i}"})()
        raw = ProjectionRunner(named, platform.stream("engagement"), platform.nc, platform.pool,
                               deadletters=dead, batch_size=BATCH)
        began = time.perf_counter()
        await raw.catch_up()
        rates.append(total / (time.perf_counter() - began))
    raw_per_s = statistics.median(rates)
    raw_cpu = cpu_per(cpu, used(), total * RAW_RUNS)
    say(f"raw consumer: {raw_per_s:,.0f} events/s, the median of {RAW_RUNS} runs "
        f"({', '.join(f'{r:,.0f}' for r in rates)}; CPU µs per event: {raw_cpu})")

    notify = {r.name: r for r in await runners(platform, BATCH)}
    reacting, inbox = notify["notify-engagement"], notify["notify-inbox"]
    began, cpu = time.perf_counter(), used()
    await inbox.start()
    await reacting.start()
    while (stored := await inbox_rows(platform.pool)) < args.events:
        if time.perf_counter() - began > 600:
            raise RuntimeError(f"only {stored} of {args.events} notifications in 10 minutes")
        await asyncio.sleep(0.01)
    fanout_per_s = args.events / (time.perf_counter() - began)
    fanout_cpu = cpu_per(cpu, used(), args.events)
    while inbox.position < await notify_last(platform):  # noqa: ASYNC110 (polls a runner)
        await asyncio.sleep(0.01)
    followed_per_s = args.events / (time.perf_counter() - began)
    followed_cpu = cpu_per(cpu, used(), args.events)
    await reacting.stop()
    await inbox.stop()
    say(f"fan-out: {fanout_per_s:,.0f} notifications stored/s "
        f"({fanout_per_s / raw_per_s:.0%} of the raw rate; CPU µs per notification: "
        f"{fanout_cpu})")
    say(f"and the inbox's consumer through notify's stream too: {followed_per_s:,.0f}/s "
        f"(CPU µs per notification: {followed_cpu})")
    outbox = (await outbound.runners(platform, BATCH))[0]
    began, cpu = time.perf_counter(), used()
    await outbox.catch_up()
    outbox_per_s = args.events / (time.perf_counter() - began)
    outbox_cpu = cpu_per(cpu, used(), args.events)
    say(f"the outbound side through the same notifications (e-mails and webhook deliveries "
        f"decided, their timers set): {outbox_per_s:,.0f}/s (CPU µs per notification: "
        f"{outbox_cpu})")
    return {"fanout_per_s": round(fanout_per_s, 1), "raw_per_s": round(raw_per_s, 1),
            "fanout_ratio": round(fanout_per_s / raw_per_s, 3), "fanout_events": args.events,
            "followed_per_s": round(followed_per_s, 1),
            "outbox_per_s": round(outbox_per_s, 1), "outbox_cpu_us": outbox_cpu,
            "raw_cpu_us": raw_cpu, "fanout_cpu_us": fanout_cpu, "followed_cpu_us": followed_cpu}


async def appends(platform: Platform, count: int, batch: int) -> float:
    """``NotificationQueued`` appended as the reactions append them (each its own aggregate at
    expected sequence 0, a consumer batch's worth at once), with nothing decided: the ceiling
    of fan-out."""
    deps = await build_notify(platform, NotifySettings(**platform.settings.model_dump()),
                              TrustCache(platform.pool))
    ctx = deps.context("ceiling", Actor.system("bench"))
    began = time.perf_counter()
    for start in range(0, count, batch):
        await deps.notifications.create_many([Created("ceiling", f"n{i}", [NotificationQueued(
            recipient_id="r", kind="coach_replied", cause_id=f"c{i}", cause_type="bench",
            occurred_at=utc_now(), link="/", excerpt=Secret("Well done", "r"))], ctx)
            for i in range(start, min(start + batch, count))])
    return count / (time.perf_counter() - began)


async def live(running: RunningNotify, writer: Engagement, coachee: Person,
               args: argparse.Namespace, worker: int) -> dict[str, Any]:
    await writer.contract("live", coachee.user_id)  # replies numbered from 0 on it
    appended: dict[str, float] = {}
    received: dict[str, float] = {}
    announced: list[tuple[int, float]] = []  # (the highest seq announced, when it arrived)
    count = max(1, round(args.rate * args.seconds))

    def heard(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
        announced.append((int(payload.rsplit(":", 1)[1]), time.perf_counter()))

    async with running.platform.pool.acquire() as listening, served(
            running.app, lifespan=False) as url, httpx.AsyncClient(
            base_url=url, timeout=30) as client, client.stream(
            "GET", "/v1/notify/stream", headers=coachee.headers) as response:
        if response.status_code != 200:
            raise RuntimeError(f"the stream answered {response.status_code}")

        async def read() -> None:
            async for line in response.aiter_lines():
                shown = json.loads(line[5:]) if line.startswith("data:") else {}
                if shown.get("kind") == "coach_replied":  # not the invitation, say
                    received[shown["item_id"]] = time.perf_counter()
                    if len(received) > count:
                        return

        await listening.add_listener(CHANNEL, heard)  # when each row is stored (committed)
        reader = asyncio.create_task(read())
        # one reply first, until it arrives: the worker has started and is following
        await writer.reply("live", coachee.user_id, 0)
        while "m0" not in received:
            if reader.done():
                reader.result()
                raise RuntimeError("the stream ended before the first notification")
            await asyncio.sleep(0.01)

        async def one(i: int) -> int:
            appended[f"m{i + 1}"] = time.perf_counter()
            await writer.reply("live", coachee.user_id, i + 1)
            return 0

        say(f"live delivery: {args.rate:g} replies/s for {args.seconds:g} s, open loop")
        cpu = cpu_seconds({"worker": worker})  # once it has started and follows
        await paced(args.rate, args.seconds, one)
        worker_cpu = cpu_per(cpu, cpu_seconds({"worker": worker}), count)["worker"]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader, timeout=30)
        await listening.remove_listener(CHANNEL, heard)
        seqs = {r["item_id"]: r["seq"] for r in await listening.fetch(
            "SELECT item_id, seq FROM inbox WHERE recipient_id = $1", coachee.user_id)}
    took = [received[m] - at for m, at in appended.items() if m in received]
    stored = [min(t for s, t in announced if s >= seqs[m]) - at for m, at in appended.items()
              if m in seqs and any(s >= seqs[m] for s, _ in announced)]
    say(f"live delivery p50 {ms(took, 0.5)} ms, p99 {ms(took, 0.99)} ms over {len(took)} of "
        f"{count} notifications (stored, announced: p50 {ms(stored, 0.5)} ms, p99 "
        f"{ms(stored, 0.99)} ms; the worker's CPU: {worker_cpu} µs per notification)")
    return {"sse_p50_ms": ms(took, 0.5), "sse_p99_ms": ms(took, 0.99),
            "stored_p50_ms": ms(stored, 0.5), "stored_p99_ms": ms(stored, 0.99),
            "sse_received": len(took), "sse_sent": count, "sse_rate": args.rate,
            "sse_worker_cpu_us": worker_cpu}


@contextlib.asynccontextmanager
async def stack(nats_url: str, dsn: str) -> AsyncIterator[tuple[RunningIdentity, str, str]]:
    namespace = "bench" + uuid.uuid4().hex[:8]
    await create_schemas(dsn, namespace, f"{namespace}_notify")
    settings = identity_settings(nats_url, dsn, namespace, access_token_ttl_s=3600)
    assert settings.master_secret is not None
    async with running_identity(settings, namespace) as identity:
        yield identity, namespace, settings.master_secret.get_secret_value()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    started, load = time.perf_counter(), os.getloadavg()[0]
    say("starting nats-server (sync_interval: always) and PostgreSQL (fsync on)")
    with embedded_servers(durable=True) as servers:
        async with stack(servers.nats_url, servers.postgres_dsn) as (identity, namespace,
                                                                      secret):
            logging.getLogger("httpx").setLevel(logging.WARNING)
            admin = await identity.organisation("Bench")
            coachee = await identity.member(admin, "coachee", name="Amira Haddad")
            settings: NotifySettings = notify_settings(
                servers.nats_url, servers.postgres_dsn, namespace, secret, log_level="WARNING")
            schema = f"{namespace}_notify"
            async with running_notify(settings, schema, identity.app,
                                      with_worker=False) as running:
                writer = Engagement(running.platform, admin.tenant_id)
                figures = await fanout(running.platform, writer, args, servers.pids)
                with worker_process("interlude.notify.worker", settings, schema) as pid:
                    say(f"notify's worker is PID {pid}")
                    figures |= await live(running, writer, coachee, args, pid)
                # last: the worker would otherwise follow these while live delivery is timed
                cpu = cpu_seconds({"nats": servers.pids[0]})
                ceiling = await appends(running.platform, args.events, BATCH)
                say(f"the same number appended alone (nothing read or decided): "
                    f"{ceiling:,.0f}/s (CPU µs per notification: "
                    f"{cpu_per(cpu, cpu_seconds({'nats': servers.pids[0]}), args.events)})")
                figures["append_per_s"] = round(ceiling, 1)
    return {**figures, "contracts": args.contracts, "cpu_count": os.cpu_count(),
            "load_avg_1m_at_start": round(load, 2), "quick": args.quick,
            "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under a minute")
    parser.add_argument("--contracts", type=int, default=200)
    parser.add_argument("--events", type=int, default=20_000, help="coach replies to fan out")
    parser.add_argument("--rate", type=float, default=100.0, help="replies/s, live delivery")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of live delivery")
    options = parser.parse_args()
    if options.quick:
        options.events, options.contracts, options.seconds = 3_000, 50, 5.0
    print(json.dumps(asyncio.run(main(options))))
