"""Connections a service process holds, opened in one place from its settings.

A service's composition roots (``main.py`` for the API, ``worker.py`` for the consumers) call
:func:`open_platform` once at start-up and :meth:`Platform.close` at shutdown; nothing connects
at import time.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext

from interlude.shared.access import AccessRecorder
from interlude.shared.config import PlatformSettings
from interlude.shared.db import create_pool, migrate
from interlude.shared.eventstore.connection import (
    CONNECTION_LOST,
    fail_waiting_requests,
    server_urls,
)
from interlude.shared.eventstore.jetstream import JetStreamEventStore
from interlude.shared.eventstore.streams import StreamSpec, ensure_stream
from interlude.shared.nats_permissions import inbox_prefix
from interlude.shared.sealing import (
    KeyRing,
    Sealer,
    load_or_create_master_secret,
    master_secret_from,
    open_key_store,
)

log = logging.getLogger(__name__)


@dataclass
class Platform:
    settings: PlatformSettings
    nc: NATS
    js: JetStreamContext
    pool: asyncpg.Pool
    keyring: KeyRing
    sealer: Sealer
    access: AccessRecorder

    def stream(self, service: str) -> StreamSpec:
        return StreamSpec.for_service(service, self.settings.stream_namespace)

    async def event_store(self, service: str) -> JetStreamEventStore:
        return await JetStreamEventStore.open(self.nc, self.stream(service),
                                              self.settings.stream_replicas)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.pool.close()
        with contextlib.suppress(Exception):
            await self.nc.drain()


def master_secret(settings: PlatformSettings) -> bytes:
    if settings.master_secret is not None:
        return master_secret_from(settings.master_secret.get_secret_value())
    if settings.master_secret_file is not None:
        return load_or_create_master_secret(settings.master_secret_file)
    raise RuntimeError("no master secret: set INTERLUDE_MASTER_SECRET or "
                       "INTERLUDE_MASTER_SECRET_FILE")


def nats_options(settings: PlatformSettings) -> dict[str, Any]:
    """How a service connects to NATS: its own user, when it has one, and replies on an inbox
    of its own (its permissions let it subscribe to no other: see
    :mod:`interlude.shared.nats_permissions`)."""
    options: dict[str, Any] = {"name": settings.service_name,
                               "inbox_prefix": inbox_prefix(settings.service_name)}
    if settings.nats_user is not None:
        options["user"] = settings.nats_user
        if settings.nats_password is not None:
            options["password"] = settings.nats_password.get_secret_value()
    return options


async def open_platform(settings: PlatformSettings, *, schema: str | None = None) -> Platform:
    """Connect to NATS and PostgreSQL, ensure the ACCESS and dead-letter streams, open the
    key ring."""
    nc = await connect_nats(settings)
    js = nc.jetstream(timeout=2.0)
    replicas = settings.stream_replicas
    access_stream = StreamSpec.for_service("access", settings.stream_namespace)
    for spec in (access_stream, StreamSpec.for_service("deadletter", settings.stream_namespace)):
        await ensure_stream(js, spec, replicas)
    pool = await create_pool(settings.database_url, schema=schema or settings.database_schema)
    bucket = "SEALING_KEYS" + (f"_{settings.stream_namespace}" if settings.stream_namespace else "")
    keyring = KeyRing(await open_key_store(js, replicas=replicas, bucket=bucket),
                      master_secret(settings))
    return Platform(settings=settings, nc=nc, js=js, pool=pool, keyring=keyring,
                    sealer=Sealer(keyring), access=AccessRecorder(js, access_stream,
                                                                  settings.service_name))


@contextlib.asynccontextmanager
async def started(settings: PlatformSettings, *, migrations: Path,
                  prepare: Callable[[Platform], Awaitable[None]],
                  schema: str | None = None) -> AsyncIterator[Platform]:
    """The platform open, the service's migrations applied (only checked, for a runtime role
    that has them all) and its sources ensured (``prepare``); closed on exit. The start of an
    API (:mod:`interlude.shared.serving`) and of a demo seed (:mod:`interlude.shared.seeding`)."""
    platform = await open_platform(settings, schema=schema)
    try:
        async with platform.pool.acquire() as conn:
            await migrate(conn, migrations)
        await prepare(platform)
        yield platform
    finally:
        await platform.close()


async def connect_nats(settings: PlatformSettings) -> NATS:
    """A connection that outlives any outage of nats-server and makes an outage visible at once.

    - it reconnects for ever, every half second (a restarted server is back within ~1 s);
    - a server that vanishes without closing the socket is noticed within ~15 s (pings);
    - nothing is buffered while disconnected (``pending_size=0``): a publish fails at once
      instead of being sent minutes later, after its request answered 503;
    - requests waiting for a reply when the connection drops fail at once, not after their
      timeout (:func:`fail_waiting_requests`).
    """
    nc = NATS()

    async def disconnected() -> None:
        if nc.is_closed:  # closed on purpose (the process is stopping): nothing was lost
            return
        log.warning("lost the connection to NATS at %s; reconnecting", settings.nats_url)
        fail_waiting_requests(nc)

    async def reconnected() -> None:
        log.warning("connected to NATS again at %s", settings.nats_url)

    async def error(err: Exception) -> None:
        # refused reconnection attempts arrive here twice a second during an outage; anything
        # else (a permissions violation, a slow consumer) is worth a warning
        level = logging.DEBUG if isinstance(err, (OSError, *CONNECTION_LOST)) else logging.WARNING
        log.log(level, "NATS connection: %s: %s", type(err).__name__, err)

    # nats-py annotates reconnect_time_wait as int, but sleeps for it: a float is fine
    await nc.connect(server_urls(settings.nats_url), **nats_options(settings), connect_timeout=2,
                     max_reconnect_attempts=-1, reconnect_time_wait=0.5,  # type: ignore[arg-type]
                     ping_interval=5, max_outstanding_pings=3, pending_size=0,
                     disconnected_cb=disconnected, reconnected_cb=reconnected, error_cb=error)
    return nc


def tune_gc() -> None:
    """Fewer, larger garbage collections for a service process. CPython's default first
    threshold (700 allocations) runs a collection every few requests, and a full one now and
    then stalls every request in flight by tens of milliseconds (measured by
    ``bench/engagement.py``: p99 at 300 posts/s). Request garbage is short-lived and mostly
    freed by reference counting, so collecting less often costs little memory."""
    gc.set_threshold(50_000, 50, 100)
