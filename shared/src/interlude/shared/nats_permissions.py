"""What each service's NATS user may publish and subscribe to, as data.

One place for the boundaries: the embedded stack writes these lists into nats-server's
configuration, and the Kubernetes deployment renders the same lists, so a service runs with the
same permissions on a laptop and in a cluster.

A service may write only its own stream's subjects (``<service>.>``), the access events
(``access.>``), dead letters and the shared sealing-key bucket; it may read (consumers, direct
gets, acks) only its own stream and the streams its :class:`ServiceSpec` says it ``consumes``.
Creating, changing or deleting streams is the stack's (admin's) job, never a service's.
It may follow its own stream's subjects as they are published, and no other's.
Each also answers the gatherer's requests for its section of a person's data (subject access,
:mod:`interlude.shared.subject_access`) on a subject of its own, replying through NATS's
``allow_responses`` (to the requester's reply subject only, for a few minutes); only the
gatherer (audit) may ask.
Replies come back on an inbox of the service's own (``_INBOX_<service>``): with the usual shared
``_INBOX.>`` any service could subscribe to the replies another one receives, including the
messages of a stream it may not read.
"""

from __future__ import annotations

from dataclasses import dataclass

from interlude.shared.eventstore.streams import DEADLETTER, StreamSpec
from interlude.shared.sealing.jetstream_keys import DEFAULT_BUCKET, shreds_bucket
from interlude.shared.service import ServiceSpec
from interlude.shared.subject_access import GATHERER, privacy_prefix, section_subject

ACCESS = "access"


@dataclass(frozen=True)
class Permissions:
    """Allow lists of subjects (NATS wildcards); everything else is denied."""

    publish: tuple[str, ...]
    subscribe: tuple[str, ...]
    # replies to the requests it receives: at most this many messages (a section in parts)
    # within this long of each request (NATS's allow_responses); None: none
    responses: tuple[int, str] | None = (10_000, "5m")


def inbox_prefix(service: str) -> str:
    """The prefix of the service's reply subjects (nats-py's ``inbox_prefix``)."""
    return f"_INBOX_{service}"


def _info(stream: str) -> list[str]:
    return [f"$JS.API.STREAM.INFO.{stream}"]


def _read(stream: str) -> list[str]:
    """Durable and ordered consumers on ``stream``, pulls and acks, direct and plain gets."""
    return [*_info(stream),
            f"$JS.API.CONSUMER.*.{stream}", f"$JS.API.CONSUMER.*.{stream}.>",
            f"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.>",
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.>", f"$JS.ACK.{stream}.>",
            f"$JS.API.DIRECT.GET.{stream}", f"$JS.API.DIRECT.GET.{stream}.>",
            f"$JS.API.STREAM.MSG.GET.{stream}"]


def _bucket(bucket: str) -> list[str]:
    """Read and write a key-value bucket (no deletes: a key is overwritten, not erased)."""
    return [f"$KV.{bucket}.>", *_read(f"KV_{bucket}")]


def _keys_bucket(namespace: str) -> list[str]:
    bucket = DEFAULT_BUCKET + (f"_{namespace}" if namespace else "")
    # the secure erase of a shredded subject's key deletes its message, and the shred list is
    # read at every start and written by every erasure (see jetstream_keys)
    return [*_bucket(bucket), f"$JS.API.STREAM.MSG.DELETE.KV_{bucket}",
            *_bucket(shreds_bucket(bucket))]


def service_permissions(spec: ServiceSpec, namespace: str = "") -> Permissions:
    """The subjects ``spec``'s processes may publish and subscribe to."""
    own = StreamSpec.for_service(spec.name, namespace)
    access = StreamSpec.for_service(ACCESS, namespace)
    dead = StreamSpec.for_service(DEADLETTER, namespace)
    publish = [f"{own.prefix}.>", *_read(own.name), *_bucket(f"SNAP_{own.name}"),
               f"{access.prefix}.>", *_info(access.name),
               f"{dead.prefix}.>", *_info(dead.name),
               *_keys_bucket(namespace)]
    for source in spec.consumes:
        stream = StreamSpec.for_service(source, namespace).name
        publish += [s for s in _read(stream) if s not in publish]
    if spec.name == GATHERER:
        publish.append(f"{privacy_prefix(namespace)}.section.*")
    # besides its replies, its own stream's subjects as they are published (core NATS): an API
    # replica evicts the cached aggregates another one changed (Repository.follow)
    return Permissions(publish=tuple(publish),
                       subscribe=(f"{inbox_prefix(spec.name)}.>", f"{own.prefix}.>",
                                  section_subject(spec.name, namespace)))


def permissions_by_service(specs: list[ServiceSpec],
                           namespace: str = "") -> dict[str, Permissions]:
    """Every service's permissions, by service name (its NATS user name)."""
    return {spec.name: service_permissions(spec, namespace) for spec in specs}
