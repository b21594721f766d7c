"""Cluster benchmark (issue 15): the check-in rate on a 3-node JetStream cluster with the
streams at R3 beside the rate on one node (R1), and how long check-ins are unavailable when the
stream's leader dies.

    flock /work/wt/bench.lock uv run python bench/cluster.py            # about three minutes
    flock /work/wt/bench.lock uv run python bench/cluster.py --quick    # under two minutes

Every nats-server runs as production runs it (``sync_interval: always``), each a child
process on free ports on loopback (tests/cluster/nodes.py), stopped by PID at the end;
PostgreSQL (fsync on) likewise. identity and engagement (API and worker, as their tests run
them: in this process, each API over ``httpx.ASGITransport``) run against one node, then
against the cluster, each time on the product's streams created at that replication. One
organisation, ``--contracts`` coachees with active contracts; ``--lanes`` coachees post at once,
each post carrying an Idempotency-Key and sent again with the same key on a 503 until it is
acknowledged (tests/cluster/load.py), as a careful client does.

1. Rate (``r1_per_s``, ``r3_per_s``, ``r3_ratio``): acknowledged check-ins per second over
   ``--seconds`` after a warm-up, the median of ``--rounds`` rounds. R3 costs a replication
   round trip and two more fsyncs per append, on the same two cores.
2. Failover (``failover_p50_s``, ``failover_max_s``, over ``--kills`` kills): under the same
   load, the node leading engagement's stream is SIGKILLed; the window is from the kill until
   a check-in sent after the kill is acknowledged (tests/cluster/load.py). The
   node is then started again and caught up before the next kill. Target: at most 10 s (issue
   15). Every acknowledged check-in must be on the coach's dashboard afterwards, once, or the
   benchmark fails.

Progress goes to stderr; the last line on stdout is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "cluster"))

from load import Load, cast, expect
from nodes import Cluster, leader, provision, running_cluster, stream_info

from interlude.engagement.testing import (
    RunningEngagement,
    engagement_settings,
    running_engagement,
)
from interlude.identity.testing import RunningIdentity, identity_settings, running_identity
from interlude.shared.stack.ports import free_port
from interlude.shared.stack.postgres import start_postgres
from interlude.shared.testing.load import create_schemas

TARGET_FAILOVER_S = 10.0


def say(message: str) -> None:
    print(f"[cluster bench] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def postgres(root: Path) -> Iterator[str]:
    server = start_postgres(root / "postgres", port=free_port(), fsync=True)
    try:
        yield server.admin_dsn
    finally:
        server.stop()


@contextlib.asynccontextmanager
async def services(urls: str, dsn: str, replicas: int
                   ) -> AsyncIterator[tuple[RunningIdentity, RunningEngagement, str]]:
    namespace = "bench" + uuid.uuid4().hex[:8]
    await provision(urls, namespace, replicas)
    schema = f"{namespace}_engagement"
    await create_schemas(dsn, namespace, schema)
    id_settings = identity_settings(urls, dsn, namespace, stream_replicas=replicas,
                                    access_token_ttl_s=3600)
    assert id_settings.master_secret is not None
    settings = engagement_settings(urls, dsn, namespace,
                                   id_settings.master_secret.get_secret_value(),
                                   stream_replicas=replicas)
    async with running_identity(id_settings, namespace) as identity, \
            running_engagement(settings, schema, identity.app) as engagement:
        yield identity, engagement, f"{namespace}_ENGAGEMENT".upper()


async def rate(load: Load, args: argparse.Namespace) -> float:
    """Acknowledged check-ins per second: the median of the rounds, after a warm-up."""
    rounds = []
    for round_ in range(args.rounds + 1):
        before, started = len(load.all()), time.monotonic()
        load.running = True
        posting = asyncio.create_task(load.run(args.lanes))
        await asyncio.sleep(args.seconds)
        load.running = False
        await posting
        if round_:  # the first is the warm-up
            rounds.append((len(load.all()) - before) / (time.monotonic() - started))
    return statistics.median(rounds)


async def failovers(cluster: Cluster, stream: str, load: Load, kills: int,
                    lanes: int) -> list[float]:
    windows = []
    load.running = True
    posting = asyncio.create_task(load.run(lanes))
    try:
        for kill in range(kills):
            await asyncio.sleep(1.0)
            victim = cluster.node(await leader(cluster.urls, stream))
            killed_at = cluster.kill(victim)
            while (window := load.resumed_after(killed_at)) is None:
                if time.monotonic() - killed_at > 60:
                    raise RuntimeError("no check-in acknowledged within 60 s of the kill")
                await asyncio.sleep(0.05)
            windows.append(window)
            say(f"kill {kill + 1}/{kills}: {victim.name} led {stream}; check-ins acknowledged "
                f"again after {windows[-1]:.2f} s")
            await asyncio.to_thread(cluster.restart, victim)
            await caught_up(cluster, stream, victim.name)
    finally:
        load.running = False
        await posting
    return windows


async def caught_up(cluster: Cluster, stream: str, name: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):  # the cluster may still be settling
            info = await stream_info(cluster.urls, stream)
            peers = {p.name: p for p in (info.cluster.replicas or [])} if info.cluster else {}
            if name in peers and peers[name].current and not peers[name].offline:
                return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{name} did not catch up on {stream} within 60 s")


async def verify(load: Load) -> int:
    """Every acknowledged check-in counted on the coach's dashboard, once."""
    last = max(a.position for a in load.all())
    coach = load.pairs[0].coach
    deadline = time.monotonic() + 60
    while True:
        board = await expect(await load.client.get(f"/v1/dashboard?after={last}&limit=100",
                                                   headers=coach.headers), 200)
        counts = {row["contract_id"]: row["checkins"] for row in board["coachees"]}
        wanted = {p.contract_id: len(load.acked[p.contract_id]) for p in load.pairs}
        if board["fresh"] and all(counts.get(c) == n for c, n in wanted.items()):
            return sum(wanted.values())
        if time.monotonic() > deadline:
            raise RuntimeError(f"the dashboard counts {counts}, acknowledged were {wanted}")
        await asyncio.sleep(0.2)


async def one_stack(root: Path, dsn: str, size: int, args: argparse.Namespace
                    ) -> dict[str, Any]:
    replicas = min(size, 3)
    with running_cluster(root / f"nats-r{replicas}", size=size, sync_always=True) as cluster:
        async with services(cluster.urls, dsn, replicas) as (identity, engagement, stream):
            logging.getLogger("httpx").setLevel(logging.WARNING)
            load = Load(engagement.client, await cast(identity, engagement, args.contracts))
            per_s = await rate(load, args)
            say(f"R{replicas} on {size} node(s): {per_s:,.1f} check-ins/s "
                f"({args.lanes} lanes, median of {args.rounds} rounds of {args.seconds:g} s)")
            windows = await failovers(cluster, stream, load, args.kills, args.lanes) \
                if size > 1 else []
            checked = await verify(load)
            say(f"R{replicas}: the dashboard counts all {checked:,} acknowledged check-ins")
            return {"per_s": per_s, "windows": windows, "verified": checked,
                    "unavailable_answers": load.unavailable}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    load_avg = os.getloadavg()[0]
    root = Path(tempfile.mkdtemp(prefix="interlude-cluster-bench-"))
    try:
        with postgres(root) as dsn:
            r1 = await one_stack(root, dsn, 1, args)
            r3 = await one_stack(root, dsn, 3, args)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    windows = r3["windows"]
    return {"r3_per_s": round(r3["per_s"], 1), "r1_per_s": round(r1["per_s"], 1),
            "r3_ratio": round(r3["per_s"] / r1["per_s"], 3),
            "failover_p50_s": round(statistics.median(windows), 2),
            "failover_max_s": round(max(windows), 2),
            "failover_windows_s": [round(w, 2) for w in windows],
            "failover_target_s": TARGET_FAILOVER_S,
            "failover_met": max(windows) <= TARGET_FAILOVER_S,
            "checkins_verified": r1["verified"] + r3["verified"],
            "answers_503": r1["unavailable_answers"] + r3["unavailable_answers"],
            "lanes": args.lanes, "contracts": args.contracts, "rounds": args.rounds,
            "round_seconds": args.seconds, "kills": args.kills, "quick": args.quick,
            "cpu_count": os.cpu_count(), "load_avg_1m_at_start": round(load_avg, 2),
            "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under two minutes")
    parser.add_argument("--contracts", type=int, default=8, help="coachees, one contract each")
    parser.add_argument("--lanes", type=int, default=8, help="check-ins in flight at once")
    parser.add_argument("--rounds", type=int, default=3, help="rate rounds per stack")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per rate round")
    parser.add_argument("--kills", type=int, default=3, help="leaders killed")
    options = parser.parse_args()
    if options.quick:
        options.rounds, options.seconds, options.contracts = 2, 4.0, 4
        options.lanes = min(options.lanes, 4)
    print(json.dumps(asyncio.run(main(options))))
