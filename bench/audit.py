"""Audit benchmark: how fast the intake appends chained records to PostgreSQL, and how long
verifying one organisation's trail of a million records takes.

    uv run python bench/audit.py                     # 1,000,000 records verified: a few minutes
    uv run python bench/audit.py --quick             # a small run, under a minute
    uv run python bench/audit.py --records 200000    # another trail size

PostgreSQL runs as ``make run`` has it (fsync on), started here on a free port and stopped by
PID at the end (with nats-server, where the checkpoint is published and read back from).
audit's migrations are applied by the superuser, as ``make run``'s owner role would;
everything measured runs as the restricted role ``audit_app``, under row-level security, as
the service does.

1. Chained append (``append_per_s``): ``AuditIntake.apply``, the intake's own code, in the
   transaction a projection runner opens for each batch (its checkpoint read, locked, and
   written, as the worker does): for every event the content-free audit record, its canonical
   bytes and its SHA-256 chain hash; per organisation in the batch the transaction scoped to
   it, its head locked, redeliveries looked up, the records inserted in one statement and the
   head moved. Batches of ``--batch`` check-in events shaped like engagement's (a sealed text,
   a person id), ``--orgs`` organisations at once, each on a connection of its own (as runners
   of different streams, or events of different organisations, proceed in parallel). Rounds of
   ``--append`` events each, alternating which organisation starts; the figure is the median
   round. Not measured: fetching from NATS and decoding the commit (the runner's work, the same
   for every projection).

2. Verification (``verify_s`` for ``verify_records``): one organisation's trail of
   ``--records`` records, appended the same way (batches of 5,000; ``build_per_s``), signed
   (one checkpoint over all of them, published to the AUDIT stream: ``sign_s``), then
   ``verify_tenant``, which is what ``GET /v1/audit/verify`` and ``interlude-audit verify
   --tenant`` run: the published checkpoints read back from JetStream, the records read in
   number order in batches with their queryable columns, every chain hash recomputed and every
   column checked against the hashed bytes, the Merkle root and chain head held against the
   checkpoint (stored and published) and its Ed25519 signature checked. It must find the trail
   intact.

Progress goes to stderr; the last line on stdout is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import nats
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from interlude.audit.adapters.witness import PublishedCheckpoints, publisher
from interlude.audit.app.checkpoints import Checkpointer
from interlude.audit.app.verification import verify_tenant
from interlude.audit.domain.checkpoint import key_id
from interlude.audit.projections.intake import AuditIntake
from interlude.audit.testing import app_dsn, migrate_as_owner
from interlude.shared.db import create_pool, quote_ident
from interlude.shared.events.codec import EventCodec
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.eventstore.streams import StreamSpec, ensure_stream
from interlude.shared.projections import checkpoints
from interlude.shared.projections.base import RecordedEvent
from interlude.shared.runtime import tune_gc
from interlude.shared.sealing import InMemoryKeyStore, KeyRing, Sealer, Secret
from interlude.shared.testing.servers import embedded_servers

registry = EventRegistry()
STREAM = "ENGAGEMENT"
APPEND_TARGET, VERIFY_TARGET = 10_000, 60.0


@registry.event("engagement.CheckInPosted")
class CheckInPosted(Event):
    coachee_id: str
    text: Secret
    mood: int


def say(message: str) -> None:
    print(f"[audit bench] {message}", file=sys.stderr, flush=True)


async def templates(n: int = 8) -> list[dict[str, Any]]:
    """Wire forms of real check-in events (their text sealed by the real sealer), to vary."""
    codec = EventCodec(registry, Sealer(KeyRing(InMemoryKeyStore(), secrets.token_bytes(32))))
    wires = []
    for i in range(n):
        coachee = uuid.uuid4().hex
        ctx = CommandContext(uuid.uuid4().hex, Actor(coachee, ("coachee",)),
                             now=datetime.now(UTC), correlation_id=uuid.uuid4().hex,
                             source_address="10.0.0.7")
        event = CheckInPosted(coachee_id=coachee, mood=3,
                              text=Secret(f"a check-in of a few sentences, number {i}", coachee))
        wires.append((await codec.encode(event, ctx, uuid.uuid4().hex)).to_wire())
    return wires


class Events:
    """Fresh events for an organisation: a template with new ids, numbered positions."""

    def __init__(self, wires: list[dict[str, Any]]) -> None:
        self.wires = wires
        self.position = 0

    def batch(self, tenant: str, n: int) -> list[RecordedEvent]:
        out = []
        for _ in range(n):
            self.position += 1
            check_in = uuid.uuid4().hex
            wire = {**self.wires[self.position % len(self.wires)], "tenant_id": tenant,
                    "event_id": uuid.uuid4().hex, "aggregate_id": check_in}
            subject = f"engagement.{tenant}.checkin.{check_in}"
            out.append(RecordedEvent(wire, STREAM, subject, self.position, 0))
        return out


async def apply_batch(conn: asyncpg.Connection, intake: AuditIntake,
                      events: list[RecordedEvent]) -> None:
    """One batch as a projection runner commits it: checkpoint locked, applied, moved."""
    async with conn.transaction():
        await checkpoints.read(conn, intake.name, STREAM, lock=True)
        await intake.apply(conn, events)
        await checkpoints.write(conn, intake.name, STREAM, events[-1].position)


async def append_rate(pool: asyncpg.Pool, events: Events, args: argparse.Namespace) -> float:
    tenants = [uuid.uuid4().hex for _ in range(args.orgs)]
    per_org = args.append // args.orgs
    intakes = [AuditIntake(f"bench{i}") for i in range(args.orgs)]  # a checkpoint row each
    async with pool.acquire() as conn:
        await checkpoints.ensure_table(conn)
        for intake in intakes:
            await checkpoints.ensure_row(conn, intake.name, STREAM)

    def batches(tenant: str, n: int) -> list[list[RecordedEvent]]:
        return [events.batch(tenant, min(args.batch, n - start))
                for start in range(0, n, args.batch)]

    async def lane(intake: AuditIntake, work: list[list[RecordedEvent]]) -> None:
        async with pool.acquire() as conn:
            for batch in work:
                await apply_batch(conn, intake, batch)

    warm_up = [batches(tenant, args.batch * 2) for tenant in tenants]
    await asyncio.gather(*(lane(i, w) for i, w in zip(intakes, warm_up, strict=True)))
    rates = []
    for round_ in range(args.rounds):
        order = tenants[round_ % len(tenants):] + tenants[:round_ % len(tenants)]
        work = [batches(tenant, per_org) for tenant in order]  # the events, before the clock
        began = time.perf_counter()
        await asyncio.gather(*(lane(i, w) for i, w in zip(intakes, work, strict=True)))
        rates.append(per_org * args.orgs / (time.perf_counter() - began))
        say(f"append round {round_ + 1}/{args.rounds}: {per_org * args.orgs:,} records over "
            f"{args.orgs} organisations at {rates[-1]:,.0f} records/s")
    return statistics.median(rates)


async def verification(pool: asyncpg.Pool, nats_url: str, events: Events,
                       args: argparse.Namespace) -> dict[str, Any]:
    tenant, intake, batch = uuid.uuid4().hex, AuditIntake("bench-trail"), 5_000
    async with pool.acquire() as conn:
        await checkpoints.ensure_row(conn, intake.name, STREAM)
        began = last = time.perf_counter()
        for start in range(0, args.records, batch):
            await apply_batch(conn, intake, events.batch(tenant, min(batch, args.records - start)))
            if time.perf_counter() - last > 5:
                last = time.perf_counter()
                say(f"building the trail: {start + batch:,}/{args.records:,} records")
        built = time.perf_counter() - began
    say(f"trail of {args.records:,} records built in {built:.1f} s "
        f"({args.records / built:,.0f} records/s); signing a checkpoint over it")
    key = Ed25519PrivateKey.generate()
    nc = await nats.connect(nats_url)
    try:
        stream = StreamSpec.for_service("audit", "bench")
        await ensure_stream(nc.jetstream(), stream)
        began = time.perf_counter()
        await Checkpointer(pool, key, publish=publisher(nc.jetstream(), stream)).sign_now(tenant)
        signed = time.perf_counter() - began
        say(f"signed in {signed:.1f} s; verifying")
        began = time.perf_counter()
        result = await verify_tenant(pool, tenant, {key_id(key.public_key()): key.public_key()},
                                     PublishedCheckpoints(nc, stream))
        took = time.perf_counter() - began
    finally:
        await nc.drain()
    if not result.ok or result.records_checked != args.records:
        raise RuntimeError(f"the trail did not verify: {result}")
    say(f"verified {result.records_checked:,} records and {result.checkpoints_checked} "
        f"checkpoint in {took:.1f} s")
    return {"verify_records": result.records_checked, "verify_s": round(took, 2),
            "build_per_s": round(args.records / built), "sign_s": round(signed, 2)}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    started, load = time.perf_counter(), os.getloadavg()[0]
    say("starting PostgreSQL (fsync on) and nats-server")
    with embedded_servers(durable=True) as servers:
        schema = "bench" + uuid.uuid4().hex[:8]
        admin = await asyncpg.connect(servers.postgres_dsn)
        await admin.execute(f"CREATE SCHEMA {quote_ident(schema)}")
        await admin.close()
        await migrate_as_owner(servers.postgres_dsn, schema)
        pool = await create_pool(await app_dsn(servers.postgres_dsn), schema=schema,
                                 max_size=args.orgs + 2)
        try:
            events = Events(await templates())
            say(f"appending: {args.rounds} rounds of {args.append:,} events, batches of "
                f"{args.batch}, {args.orgs} organisations at once, as audit_app")
            append = await append_rate(pool, events, args)
            verified = await verification(pool, servers.nats_url, events, args)
        finally:
            await pool.close()
    figures = {"append_per_s": round(append), **verified}
    per_million = verified["verify_s"] * 1_000_000 / args.records
    scaled = "" if args.records == 1_000_000 else f", {per_million:.1f} s scaled to 1,000,000"
    say(f"append {figures['append_per_s']:,}/s (target {APPEND_TARGET:,}: "
        f"{'met' if append >= APPEND_TARGET else 'MISSED'}); verify {verified['verify_s']} s "
        f"for {verified['verify_records']:,}{scaled} (target {VERIFY_TARGET:g} s for 1,000,000:"
        f" {'met' if per_million <= VERIFY_TARGET else 'MISSED'})")
    return {**figures, "append_orgs": args.orgs, "append_batch": args.batch,
            "rounds": args.rounds, "cpu_count": os.cpu_count(),
            "load_avg_1m_at_start": round(load, 2), "python": sys.version.split()[0],
            "quick": args.quick, "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under a minute")
    parser.add_argument("--records", type=int, default=1_000_000, help="trail to verify")
    parser.add_argument("--append", type=int, default=100_000, help="events per append round")
    parser.add_argument("--orgs", type=int, default=4, help="organisations appending at once")
    parser.add_argument("--batch", type=int, default=500, help="events per batch (the worker's)")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    if options.quick:
        options.records, options.append, options.rounds = 100_000, 40_000, 3
    tune_gc()  # as the worker process that runs these consumers does (shared.worker)
    print(json.dumps(asyncio.run(main(options))))
