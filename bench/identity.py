"""Identity benchmark: what checking an access token costs a request, and how many password
sign-ins per second identity takes at the production argon2id costs.

    uv run python bench/identity.py            # a few minutes
    uv run python bench/identity.py --quick    # a small run, under a minute

Three parts:

1. ``GET /bare`` and ``GET /verified`` on one app made by ``create_app`` (the middleware every
   service has: request id, body limit, problems, OpenTelemetry instrumentation with no exporter
   configured) with ``install_auth``; ``/verified`` takes a ``PrincipalDep``, so every request
   verifies an Ed25519-signed EdDSA access token of the shape identity issues (checked against a
   real one in part 3) with ``TokenVerifier`` over a ``StaticKeySource``, no revocation check
   (in a service that is the trust cache's two dictionary look-ups). Both routes get the same
   ``Authorization`` header and answer a small JSON body; rounds alternate between them, so
   whatever else the machine does falls on both alike.

   How it is loaded: in this process, sequentially, through ``httpx.ASGITransport`` (the
   ``bare_per_s``/``verify_per_s`` figures), and again by calling the ASGI app directly with no
   client at all (``app_*``). Not uvicorn plus a load generator in another process: this
   machine has two cores shared with other work, and a Python load generator spends about as
   much CPU per request as the server, so that figure would measure client and server fighting
   for the cores, and move with whatever else runs. In-process measures the app's own CPU cost
   per request without sockets or HTTP parsing; the httpx client's share (about as much as the
   app's own) is in both routes alike. Every fixed cost per request pulls the ratio towards 1:
   ``app_verify_ratio`` (the app alone) is the lowest, ``verify_ratio`` (with the client) is
   higher, a request served by uvicorn over a socket would be higher still. The time
   verification adds per request (``verify_cost_us``, ``app_verify_cost_us``) is the figure
   that carries over between them, within noise. A verifier remembers a token it has checked
   until it expires, so these are what every request after a token's first pays;
   ``verify_in_full_us`` is the full check (signature and claims) the first request pays.
   ``verify_only_per_s`` is
   ``TokenVerifier.verify`` alone, no HTTP.

2. A reference for part 3: argon2id verifications per second at the same costs, one at a time
   and ``--inflight`` at once in threads (as identity runs them), without identity.

3. ``POST /v1/sessions`` against the real identity service (in this process, over
   ``httpx.ASGITransport``, its worker running) on nats-server (``sync_interval: always``) and
   PostgreSQL (fsync on), both as ``make run`` has them, started here on free ports and stopped
   by PID at the end; argon2id at ``IdentitySettings``' defaults (not the cheap test costs);
   ``--inflight`` sign-ins at once spread over ``--users`` people. A sign-in is one argon2id
   verification in a thread plus some event-store loads and PostgreSQL writes; with two cores
   it is hashing-bound, which ``login_vs_argon2`` (sign-ins per second over bare argon2id
   verifications per second at the same concurrency) shows.

Every timed section is warmed up first and repeated; the figures are the medians of the rounds.
Progress goes to stderr; the last line on stdout is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import jwt
from argon2 import PasswordHasher
from fastapi import FastAPI

from interlude.identity.settings import IdentitySettings
from interlude.identity.testing import PASSWORD, identity_settings, running_identity
from interlude.shared.auth import (
    PrincipalDep,
    StaticKeySource,
    TokenVerifier,
    install_auth,
    parse_jwks,
)
from interlude.shared.db import quote_ident
from interlude.shared.http.app import create_app
from interlude.shared.testing.load import pct
from interlude.shared.testing.servers import embedded_servers
from interlude.shared.testing.tokens import TokenSigner

ARGON2_TIME_COST: int = IdentitySettings.model_fields["argon2_time_cost"].default
ARGON2_MEMORY_KIB: int = IdentitySettings.model_fields["argon2_memory_kib"].default
ARGON2_PARALLELISM = 1  # identity's Passwords default
KID = "bench-key"

Call = Callable[[], Awaitable[None]]


def say(message: str) -> None:
    print(f"[identity bench] {message}", file=sys.stderr, flush=True)


# -- part 1: a bare route beside one that verifies a token -----------------------------------

def token_shape(token: str) -> dict[str, Any]:
    """Header and claim names with the JSON types of their values."""
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    return {"header": {k: type(v).__name__ for k, v in header.items()},
            "claims": {k: type(v).__name__ for k, v in claims.items()}}


def bench_app(verifier: TokenVerifier) -> FastAPI:
    app = create_app("interlude bench")
    install_auth(app, verifier)

    @app.get("/bare")
    async def bare() -> dict[str, object]:
        return {"ok": True, "user": "anonymous"}

    @app.get("/verified")
    async def verified(principal: PrincipalDep) -> dict[str, object]:
        return {"ok": True, "user": principal.user_id}

    return app


def via_httpx(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> Call:
    async def one() -> None:
        response = await client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}: {response.text}")

    return one


def via_asgi(app: FastAPI, path: str, headers: dict[str, str]) -> Call:
    """One request straight into the ASGI app, as a server would hand it over."""
    raw = [(b"host", b"bench"), *((k.lower().encode(), v.encode()) for k, v in headers.items())]
    scope_base = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                  "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
                  "root_path": "", "query_string": b"", "headers": raw,
                  "client": ("127.0.0.1", 50000), "server": ("bench", 80)}

    async def one() -> None:
        delivered = False
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.Future()  # no disconnect: wait until cancelled
            raise AssertionError("unreachable")

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(dict(scope_base), receive, send)  # type: ignore[arg-type]
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")

    return one


async def timed(n: int, one: Call) -> tuple[float, list[float]]:
    """Rate per second of ``n`` sequential calls, and each call's latency in microseconds."""
    latencies = []
    clock = time.perf_counter
    started = clock()
    for _ in range(n):
        t = clock()
        await one()
        latencies.append((clock() - t) * 1e6)
    return n / (clock() - started), latencies


async def alternate(label: str, calls: dict[str, Call], n: int, rounds: int,
                    warmup: int) -> dict[str, tuple[list[float], list[float]]]:
    """Warm each up, then ``rounds`` rounds of ``n`` calls of each, alternating the order."""
    for one in calls.values():
        for _ in range(warmup):
            await one()
    results: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in calls}
    names = list(calls)
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else reversed(names):
            per_s, latencies = await timed(n, calls[name])
            results[name][0].append(per_s)
            results[name][1].extend(latencies)
        say(f"{label} round {round_ + 1}/{rounds} ({n:,} calls each): "
            + ", ".join(f"{name} {results[name][0][-1]:,.0f}/s" for name in names))
    return results


async def verification(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    signer = TokenSigner(KID)  # an access token as identity signs one
    token = signer.sign(roles=["coach"], exp=int(time.time()) + 3600)
    verifier = signer.verifier()
    await verifier.verify(token)  # the token is good before anything is timed
    app = bench_app(verifier)
    headers = {"Authorization": f"Bearer {token}"}
    n, rounds, warmup = args.requests, args.rounds, max(200, args.requests // 5)

    say(f"HTTP via httpx.ASGITransport, in-process, sequential: /bare vs /verified, "
        f"{rounds} rounds of {n:,}")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://bench") as client:
        http = await alternate("httpx", {"bare": via_httpx(client, "/bare", headers),
                                         "verify": via_httpx(client, "/verified", headers)},
                               n, rounds, warmup)
    say(f"HTTP straight into the ASGI app (no client): {rounds} rounds of {n:,}")
    direct = await alternate("asgi", {"bare": via_asgi(app, "/bare", headers),
                                      "verify": via_asgi(app, "/verified", headers)},
                             n, rounds, warmup)

    verifies = n * 2
    say(f"TokenVerifier.verify alone: {rounds} rounds of {verifies:,}")

    in_full = signer.verifier(remember=0)  # the first request with a token pays this

    async def verify_once() -> None:
        await verifier.verify(token)

    async def verify_in_full() -> None:
        await in_full.verify(token)

    only = await alternate("verify only", {"verify": verify_once, "in_full": verify_in_full},
                           verifies, rounds, warmup)

    bare, verify = statistics.median(http["bare"][0]), statistics.median(http["verify"][0])
    app_bare = statistics.median(direct["bare"][0])
    app_verify = statistics.median(direct["verify"][0])
    verify_only = statistics.median(only["verify"][0])
    figures = {
        "bare_per_s": round(bare), "verify_per_s": round(verify),
        "verify_ratio": round(verify / bare, 3),
        "verify_only_per_s": round(verify_only),
        "verify_only_us": round(1e6 / verify_only, 1),
        "verify_in_full_us": round(1e6 / statistics.median(only["in_full"][0]), 1),
        "verify_cost_us": round(1e6 / verify - 1e6 / bare, 1),
        "bare_p50_us": round(statistics.median(http["bare"][1]), 1),
        "bare_p99_us": round(pct(http["bare"][1], 0.99), 1),
        "verify_p50_us": round(statistics.median(http["verify"][1]), 1),
        "verify_p99_us": round(pct(http["verify"][1], 0.99), 1),
        "app_bare_per_s": round(app_bare), "app_verify_per_s": round(app_verify),
        "app_verify_ratio": round(app_verify / app_bare, 3),
        "app_verify_cost_us": round(1e6 / app_verify - 1e6 / app_bare, 1),
        "http_driver": "in-process httpx.ASGITransport, sequential (app_*: direct ASGI calls)",
        "http_requests_per_round": n, "token_bytes": len(token),
    }
    say(f"bare {bare:,.0f}/s, verified {verify:,.0f}/s (ratio {verify / bare:.3f}); "
        f"without the client {app_bare:,.0f}/s vs {app_verify:,.0f}/s; "
        f"verify alone {verify_only:,.0f}/s")
    return figures, token_shape(token)


# -- parts 2 and 3: argon2id and sign-ins against identity -----------------------------------

async def concurrently(n: int, inflight: int,
                       one: Callable[[int], Awaitable[None]]) -> tuple[float, list[float]]:
    """``n`` calls, ``inflight`` at a time; the rate and each call's latency in ms."""
    indexes = iter(range(n))
    latencies: list[float] = []

    async def lane() -> None:
        for i in indexes:  # shared: each lane takes the next index
            t = time.perf_counter()
            await one(i)
            latencies.append((time.perf_counter() - t) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(inflight)))
    return n / (time.perf_counter() - started), latencies


async def rounds_of(label: str, n: int, rounds: int, warmup: int, inflight: int,
                    one: Callable[[int], Awaitable[None]]) -> tuple[float, list[float]]:
    await concurrently(warmup, inflight, one)
    rates, latencies = [], []
    for round_ in range(rounds):
        per_s, lat = await concurrently(n, inflight, one)
        rates.append(per_s)
        latencies.extend(lat)
        say(f"{label} round {round_ + 1}/{rounds} ({n} done, {inflight} in flight): "
            f"{per_s:,.1f}/s")
    return statistics.median(rates), latencies


async def argon2_reference(args: argparse.Namespace) -> dict[str, Any]:
    hasher = PasswordHasher(time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB,
                            parallelism=ARGON2_PARALLELISM)
    encoded = hasher.hash(PASSWORD)

    async def verify(_: int) -> None:
        await asyncio.to_thread(hasher.verify, encoded, PASSWORD)

    n = max(args.inflight * 2, args.logins)
    say(f"argon2id verify alone (t={ARGON2_TIME_COST}, m={ARGON2_MEMORY_KIB} KiB, p=1)")
    single, lat = await rounds_of("argon2id, 1 thread", n // 2, args.rounds, 2, 1, verify)
    many, _ = await rounds_of(f"argon2id, {args.inflight} threads", n, args.rounds,
                              args.inflight * 2, args.inflight, verify)
    return {"argon2_verify_1_thread_per_s": round(single, 1),
            "argon2_verify_ms": round(statistics.median(lat), 1),
            "argon2_verify_per_s": round(many, 1)}


async def sign_ins(args: argparse.Namespace, reference_shape: dict[str, Any]) -> dict[str, Any]:
    say("starting nats-server (sync_interval: always) and PostgreSQL (fsync on)")
    started = time.perf_counter()
    with embedded_servers(durable=True) as servers:
        say(f"servers up in {time.perf_counter() - started:.1f} s (PIDs {servers.pids})")
        hashing = await argon2_reference(args)

        schema = namespace = "bench" + uuid.uuid4().hex[:8]
        conn = await asyncpg.connect(servers.postgres_dsn)
        await conn.execute(f"CREATE SCHEMA {quote_ident(schema)}")
        await conn.close()
        settings = identity_settings(servers.nats_url, servers.postgres_dsn, namespace,
                                     argon2_time_cost=ARGON2_TIME_COST,
                                     argon2_memory_kib=ARGON2_MEMORY_KIB)
        async with running_identity(settings, schema) as identity:
            say(f"identity up; registering an organisation and {args.users - 1} more people")
            admin = await identity.organisation("Bench")
            people = [admin] + [await identity.member(admin, "coach", name=f"Person {i}")
                                for i in range(args.users - 1)]
            emails = [person.email for person in people]

            jwks = (await identity.client.get("/.well-known/jwks.json")).json()
            real = TokenVerifier(StaticKeySource(parse_jwks(jwks)), issuer=settings.token_issuer)
            await real.verify(admin.access_token)
            shape = token_shape(admin.access_token)
            same_shape = shape == reference_shape
            if not same_shape:
                say(f"WARNING: the benchmark's token differs from identity's: {reference_shape} "
                    f"vs {shape}")

            async def sign_in(i: int) -> None:
                response = await identity.client.post(
                    "/v1/sessions", json={"email": emails[i % len(emails)], "password": PASSWORD})
                if response.status_code != 200:
                    raise RuntimeError(f"sign-in answered {response.status_code}: "
                                       f"{response.text}")

            say(f"POST /v1/sessions: {args.rounds} rounds of {args.logins}, "
                f"{args.inflight} in flight over {len(emails)} people")
            login, latencies = await rounds_of("sign-ins", args.logins, args.rounds,
                                               args.inflight * 2, args.inflight, sign_in)
    say(f"sign-ins {login:,.1f}/s; argon2id alone at the same concurrency "
        f"{hashing['argon2_verify_per_s']:,.1f}/s")
    return {"login_per_s": round(login, 1),
            "login_p50_ms": round(statistics.median(latencies), 1),
            "login_p99_ms": round(pct(latencies, 0.99), 1),
            "login_vs_argon2": round(login / hashing["argon2_verify_per_s"], 3),
            **hashing,
            "login_inflight": args.inflight, "login_users": len(emails),
            "logins_per_round": args.logins, "token_matches_identity": same_shape}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    load = os.getloadavg()[0]
    http, shape = await verification(args)
    logins = await sign_ins(args, shape)
    return {**http, **logins,
            "argon2_time_cost": ARGON2_TIME_COST, "argon2_memory_kib": ARGON2_MEMORY_KIB,
            "argon2_parallelism": ARGON2_PARALLELISM, "rounds": args.rounds,
            "cpu_count": os.cpu_count(), "load_avg_1m_at_start": round(load, 2),
            "python": sys.version.split()[0], "quick": args.quick,
            "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under a minute")
    parser.add_argument("--requests", type=int, default=5_000, help="HTTP requests per round")
    parser.add_argument("--logins", type=int, default=100, help="sign-ins per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--inflight", type=int, default=4, help="sign-ins at once")
    parser.add_argument("--users", type=int, default=4, help="distinct people signing in")
    options = parser.parse_args()
    if options.quick:
        options.requests, options.logins, options.rounds = 1_500, 24, 3
    print(json.dumps(asyncio.run(main(options))))
