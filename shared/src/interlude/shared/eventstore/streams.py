"""Streams declared as code: one per service, subjects ``<service>.<tenant>.<aggregate>.<id>``.

Tests pass a ``namespace`` so that each gets streams of its own on a shared server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

SERVICE_STREAMS = ("identity", "engagement", "community", "notify", "access", "audit")
DEADLETTER = "deadletter"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


def check_token(value: str, what: str) -> str:
    """Subject tokens must not contain dots, wildcards or spaces (a tenant id could smuggle one)."""
    if not _TOKEN.match(value):
        raise ValueError(f"{what} {value!r} is not a valid subject token")
    return value


@dataclass(frozen=True)
class StreamSpec:
    """One JetStream stream: its name and the first token of its subjects."""

    name: str
    prefix: str
    duplicate_window_s: float = 120.0

    @classmethod
    def for_service(cls, service: str, namespace: str = "") -> StreamSpec:
        prefix = f"{namespace}_{service}" if namespace else service
        return cls(name=prefix.upper(), prefix=prefix)

    def subject(self, tenant: str, aggregate: str, aggregate_id: str) -> str:
        """The subject of one aggregate: ``<prefix>.<tenant>.<aggregate>.<id>``."""
        return ".".join((self.prefix, check_token(tenant, "tenant"),
                         check_token(aggregate, "aggregate type"), check_token(aggregate_id, "id")))

    def config(self, replicas: int = 1) -> StreamConfig:
        return StreamConfig(
            name=self.name,
            subjects=[f"{self.prefix}.>"],
            storage=StorageType.FILE,
            retention=RetentionPolicy.LIMITS,
            discard=DiscardPolicy.OLD,  # no limits are set, so nothing is ever discarded
            num_replicas=replicas,
            duplicate_window=self.duplicate_window_s,
            deny_delete=True,
            deny_purge=True,
            allow_direct=True,
            allow_atomic=True,
        )


def all_streams(namespace: str = "") -> list[StreamSpec]:
    return [StreamSpec.for_service(s, namespace) for s in (*SERVICE_STREAMS, DEADLETTER)]


_CONFIGURED = ("subjects", "storage", "retention", "discard", "num_replicas", "duplicate_window",
               "deny_delete", "deny_purge", "allow_direct", "allow_atomic")


def _plain(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


def _differs(have: StreamConfig, want: StreamConfig) -> bool:
    return any(_plain(getattr(have, f)) != _plain(getattr(want, f)) for f in _CONFIGURED)


async def ensure_stream(js: JetStreamContext, spec: StreamSpec, replicas: int = 1) -> None:
    """Create the stream, or bring an existing one's configuration up to date.

    A stream that is already as configured is left alone: a service's NATS user may look at
    the streams it uses but not change them (interlude.shared.nats_permissions), so on the
    stack, where the admin created them, this only reads.
    """
    config = spec.config(replicas)
    try:
        info = await js.stream_info(spec.name)
    except NotFoundError:
        await js.add_stream(config)
    else:
        if _differs(info.config, config):
            await js.update_stream(config)


async def ensure_streams(js: JetStreamContext, specs: list[StreamSpec], replicas: int = 1) -> None:
    for spec in specs:
        await ensure_stream(js, spec, replicas)
