"""Event store benchmark: our append, load and rebuild beside raw JetStream under the same
conditions, on embedded servers it starts itself (sync_interval: always, as `make run`).

    uv run python bench/eventstore.py            # 200,000 stored events
    uv run python bench/eventstore.py --events 1000000
    uv run python bench/eventstore.py --quick    # a small run, under a minute

Progress goes to stderr; the last line on stdout is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import nats

from interlude.shared.db import create_pool
from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.eventstore.base import Append, encode_commit
from interlude.shared.eventstore.jetstream import JetStreamEventStore
from interlude.shared.eventstore.repository import Repository
from interlude.shared.eventstore.streams import StreamSpec, ensure_stream
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import tune_gc
from interlude.shared.stack.nats import start_nats
from interlude.shared.stack.ports import free_port
from interlude.shared.stack.postgres import start_postgres
from interlude.shared.testing.load import pct
from interlude.shared.testing.tally import TALLY, TALLY_SCHEMA, Counted, TallyProjection, registry

TENANT = "bench"
CTX = CommandContext(tenant_id=TENANT, actor=Actor("bench"), now=datetime.now(UTC),
                     correlation_id="bench")


def say(message: str) -> None:
    print(f"[eventstore bench] {message}", file=sys.stderr, flush=True)


async def rate(label: str, n: int, run) -> float:
    started = time.perf_counter()
    await run()
    per_s = n / (time.perf_counter() - started)
    say(f"{label}: {per_s:,.0f}/s")
    return per_s


async def raw_publish(js, stream: StreamSpec, n: int, pipelined: int) -> float:
    payload = encode_commit([await EventCodec(registry).encode(Counted(by=1), CTX, "x")])
    subject = stream.subject(TENANT, "raw", uuid.uuid4().hex)

    async def run():
        if pipelined <= 1:
            for _ in range(n):
                await js.publish(subject, payload, headers={"Nats-Msg-Id": uuid.uuid4().hex})
            return
        for start in range(0, n, pipelined):
            await asyncio.gather(*(js.publish(subject, payload,
                                              headers={"Nats-Msg-Id": uuid.uuid4().hex})
                                   for _ in range(min(pipelined, n - start))))

    mode = "one at a time" if pipelined <= 1 else f"{pipelined} in flight"
    return await rate(f"raw publish with ack, {mode}", n, run)


async def our_append(repo: Repository, n: int, pipelined: int) -> float:
    ids = [uuid.uuid4().hex for _ in range(max(pipelined, 1))]

    async def one(aggregate_id: str) -> None:
        await repo.execute(TENANT, aggregate_id, lambda s: [Counted(by=1)], CTX)

    async def run():
        if pipelined <= 1:
            for _ in range(n):
                await one(ids[0])
            return
        for _ in range(0, n, pipelined):  # each in-flight append on its own aggregate
            await asyncio.gather(*(one(i) for i in ids))

    mode = "one at a time" if pipelined <= 1 else f"{pipelined} in flight"
    return await rate(f"our append (load, decide, append), {mode}", n, run)


async def commit_shapes(nc, js, stream: StreamSpec, n: int) -> tuple[float, float]:
    """A 10-event commit as one message vs as a JetStream atomic batch of 10 messages."""
    codec = EventCodec(registry)
    envelopes = [await codec.encode(Counted(by=i), CTX, "c") for i in range(10)]
    one = encode_commit(envelopes)
    singles = [encode_commit([e]) for e in envelopes]

    async def as_one():
        for _ in range(n):
            await js.publish(stream.subject(TENANT, "shape", "one"), one,
                             headers={"Nats-Msg-Id": uuid.uuid4().hex})

    async def as_batch():
        for _ in range(n):
            batch, subject = uuid.uuid4().hex, stream.subject(TENANT, "shape", "batch")
            for i, data in enumerate(singles, start=1):
                headers = {"Nats-Batch-Id": batch, "Nats-Batch-Sequence": str(i)}
                if i < len(singles):
                    await nc.publish(subject, data, headers=headers)
                else:
                    headers["Nats-Batch-Commit"] = "1"
                    await js.publish(subject, data, headers=headers)

    return (await rate("10-event commit as one message", n, as_one),
            await rate("10-event commit as an atomic batch", n, as_batch))


def cpu_seconds(pid: int) -> float:
    """User and system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def grouping(store: JetStreamEventStore, stream: StreamSpec, n: int, server_pid: int,
                   width: int = 8) -> dict[str, float]:
    """``width`` commits on as many new subjects at once, as concurrent requests make them:
    ``width`` appends in flight, or all of them as one atomic batch (``append_many``). Commits
    per second, and nats-server's CPU per commit: gathering concurrent appends into batches
    (group commit) would pay only if a batch cost the server less than the appends."""
    codec = EventCodec(registry)
    commit = [await codec.encode(Counted(by=1), CTX, "g")]
    figures: dict[str, float] = {}

    def subjects() -> list[str]:
        return [stream.subject(TENANT, "group", uuid.uuid4().hex) for _ in range(width)]

    async def apart() -> None:
        for _ in range(n // width):
            await asyncio.gather(*(store.append(s, commit, expected_last_seq=0)
                                   for s in subjects()))

    async def batched() -> None:
        for _ in range(n // width):
            await store.append_many([Append(s, commit) for s in subjects()])

    for name, run in (("apart", apart), ("batched", batched)):
        before = cpu_seconds(server_pid)
        per_s = await rate(f"{width} commits at once, {name}", n // width * width, run)
        figures[f"group{width}_{name}_per_s"] = round(per_s)
        figures[f"group{width}_{name}_server_us"] = round(
            (cpu_seconds(server_pid) - before) / (n // width * width) * 1e6)
    say(f"nats-server CPU per commit: {figures[f'group{width}_apart_server_us']} us apart, "
        f"{figures[f'group{width}_batched_server_us']} us batched")
    return figures


async def fill(js, stream: StreamSpec, repo: Repository, events: int, aggregates: int,
               per_aggregate: int) -> list[str]:
    """``aggregates`` aggregates of ``per_aggregate`` events and up to 15 more each (the
    ``j``-th ``j % 16`` more: tails of every length after their last snapshot, taken every 16
    events), spread evenly through ``events`` stored events (the rest on other subjects),
    written as production would."""
    ids = [uuid.uuid4().hex for _ in range(aggregates)]
    filler = encode_commit([await EventCodec(registry).encode(Counted(by=1), CTX, "f")])
    rounds = per_aggregate + min(15, aggregates - 1)
    per_round = max(0, (events - aggregates * (per_aggregate + 7)) // rounds)
    started, stored = time.monotonic(), 0
    for round_ in range(rounds):
        writing = [i for j, i in enumerate(ids) if round_ < per_aggregate + j % 16]
        await asyncio.gather(*(repo.execute(TENANT, i, lambda s: [Counted(by=1)], CTX)
                               for i in writing))
        futures = [await js.publish_async(stream.subject(TENANT, "tally", f"f{k % 5000}"), filler)
                   for k in range(per_round)]
        await asyncio.gather(*futures)
        stored += per_round + len(writing)
        if round_ % 10 == 9:
            per_s = stored / (time.monotonic() - started)
            say(f"stored {stored:,}/{events:,} events ({per_s:,.0f}/s)")
    await repo.flush()
    return ids


async def loads(store, stream, ids: list[str], rounds: int) -> tuple[list[float], list[float]]:
    cold, warm = [], []
    for _ in range(rounds):
        repo = Repository(store, stream, TALLY, EventCodec(registry))  # an empty cache
        for aggregate_id in ids:
            t = time.perf_counter()
            loaded = await repo.load(TENANT, aggregate_id)
            cold.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            await repo.load(TENANT, aggregate_id)
            warm.append((time.perf_counter() - t) * 1000)
            assert loaded.state.total >= 100
    return cold, warm


async def raw_replay(js, stream: StreamSpec, expected: int) -> float:
    done = asyncio.Event()
    seen = 0

    async def count(msg):
        nonlocal seen
        seen += 1
        if seen >= expected:
            done.set()

    started = time.perf_counter()
    sub = await js.subscribe(f"{stream.prefix}.>", ordered_consumer=True, cb=count,
                             stream=stream.name)
    await done.wait()
    per_s = seen / (time.perf_counter() - started)
    await sub.unsubscribe()
    say(f"raw replay through an ordered consumer: {per_s:,.0f} msgs/s ({seen:,} msgs)")
    return per_s


async def main(args: argparse.Namespace) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="interlude-bench-"))
    nats_port, monitor = free_port(), free_port()
    say(f"starting nats-server (sync_interval: always) and PostgreSQL in {root}")
    server = start_nats(root / "nats", port=nats_port, monitor_port=monitor, sync_always=True)
    pg = start_postgres(root / "pg", port=free_port())
    nc = await nats.connect(server.url)
    try:
        js = nc.jetstream(timeout=30)
        stream = StreamSpec.for_service("bench")
        store = await JetStreamEventStore.open(nc, stream)
        repo = Repository(store, stream, TALLY, EventCodec(registry))
        n = args.publishes
        raw_one = await raw_publish(js, stream, n, 1)
        ours_one = await our_append(repo, n, 1)
        raw_pipe = await raw_publish(js, stream, n * 4, 64)
        ours_pipe = await our_append(repo, n * 4, 64)
        one_msg, batch = await commit_shapes(nc, js, stream, max(50, n // 4))
        grouped = await grouping(store, stream, n * 2, server.child.pid)

        say(f"filling the stream to {args.events:,} events with {args.aggregates} aggregates "
            f"of 100-115 events spread through it (tails of 0-15 after their snapshot)")
        ids = await fill(js, stream, repo, args.events, args.aggregates, 100)
        cold, warm = await loads(store, stream, ids, args.load_rounds)
        say(f"cold load p50 {statistics.median(cold):.2f} ms, p99 {pct(cold, 0.99):.2f} ms; "
            f"warm p99 {pct(warm, 0.99):.3f} ms")

        total = int((await js.stream_info(stream.name)).state.last_seq)
        replay = await raw_replay(js, stream, total)
        dsn = pg.dsn("postgres")
        admin = await asyncpg.connect(dsn)
        await admin.execute("CREATE SCHEMA IF NOT EXISTS bench")
        await admin.close()
        pool = await create_pool(dsn, schema="bench")
        await pool.execute(TALLY_SCHEMA)
        deadletters = StreamSpec.for_service("deadletter")
        await ensure_stream(js, deadletters)
        runner = ProjectionRunner(TallyProjection(), stream, nc, pool, deadletters=deadletters,
                                  batch_size=args.batch)
        started = time.perf_counter()
        applied = await runner.rebuild(progress=say)
        rebuild = applied / (time.perf_counter() - started)
        await pool.close()
    finally:
        await nc.close()
        pg.stop()
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    return {
        "raw_publish_per_s": round(raw_one), "append_per_s": round(ours_one),
        "append_ratio": round(ours_one / raw_one, 3),
        "raw_publish_pipelined_per_s": round(raw_pipe), "append_pipelined_per_s": round(ours_pipe),
        "append_pipelined_ratio": round(ours_pipe / raw_pipe, 3),
        "commit10_one_message_per_s": round(one_msg), "commit10_atomic_batch_per_s": round(batch),
        **grouped,
        "stored_events": total,
        "cold_load_p50_ms": round(statistics.median(cold), 3),
        "cold_load_p99_ms": round(pct(cold, 0.99), 3),
        "warm_load_p99_ms": round(pct(warm, 0.99), 4),
        "raw_replay_per_s": round(replay), "rebuild_per_s": round(rebuild),
        "rebuild_ratio": round(rebuild / replay, 3),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under a minute")
    parser.add_argument("--events", type=int, default=200_000, help="events stored in all")
    parser.add_argument("--aggregates", type=int, default=20)
    parser.add_argument("--publishes", type=int, default=2_000)
    parser.add_argument("--load-rounds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=2_000, help="projection fetch batch")
    options = parser.parse_args()
    if options.quick:
        options.events, options.publishes, options.load_rounds = 20_000, 300, 5
    tune_gc()  # as the worker process that runs these consumers does (shared.worker)
    print(json.dumps(asyncio.run(main(options))))
