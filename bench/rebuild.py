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
  ``ProjectionRunner.rebuild`` (its tables emptied, its consumer from sequence 1, a first
  batch of ``--batch`` as the worker's wiring has it, then the runner's catch-up batches while
  more than a batch waits), ``<name>_rebuild_s`` the whole call;
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
import secrets
import sys
import time
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
from lib.year import WEEK, Writer, Year  # bench/ is on the path when this runs

from interlude.community import wiring as community_wiring
from interlude.community.domain import events as cev
from interlude.community.settings import CommunitySettings
from interlude.engagement import wiring as engagement_wiring
from interlude.engagement.domain import events as eev
from interlude.engagement.projections.dashboard import COMMUNITY_NAME
from interlude.engagement.settings import EngagementSettings
from interlude.notify import wiring as notify_wiring
from interlude.notify.domain import events as nev
from interlude.notify.projections.inbox import NAME as INBOX
from interlude.notify.settings import NotifySettings
from interlude.shared.db import quote_ident
from interlude.shared.events.codec import EventCodec
from interlude.shared.events.registry import EventRegistry
from interlude.shared.ids import new_id
from interlude.shared.projections.base import Projection, RecordedEvent, Together
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, started, tune_gc
from interlude.shared.testing.inprocess import caller_settings
from interlude.shared.testing.load import create_schemas
from interlude.shared.testing.servers import embedded_servers

TARGET = 0.5
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
            for runner in live.values():  # event at a time, even when a week is behind them
                runner.catch_up_batch = args.live_batch
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
    tune_gc()  # as the worker process that runs these consumers does (shared.worker)
    print(json.dumps(asyncio.run(main(options))))
