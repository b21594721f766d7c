"""Checkpoints outside the database: each signed checkpoint is an ``audit.AuditCheckpointSigned``
event on the organisation's ``<audit prefix>.<tenant>.trail.<tenant>`` subject of the AUDIT
stream (a stream that refuses deletes and purges), and the verifiers read them back from there."""

from __future__ import annotations

from datetime import UTC, datetime

from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from interlude.audit.app.checkpoints import Publish
from interlude.audit.app.retention import Report
from interlude.audit.domain.checkpoint import Checkpoint
from interlude.audit.domain.retention import Purged
from interlude.audit.domain.witness import Signed
from interlude.shared.events.envelope import Actor, Envelope
from interlude.shared.eventstore.base import commit_wire, encode_commit
from interlude.shared.eventstore.direct import DirectReader
from interlude.shared.eventstore.streams import StreamSpec
from interlude.shared.ids import new_id

CHECKPOINT_SIGNED = "audit.AuditCheckpointSigned"
RETENTION_APPLIED = "audit.RetentionApplied"


def subject(stream: StreamSpec, tenant_id: str) -> str:
    return stream.subject(tenant_id, "trail", tenant_id)


def publisher(js: JetStreamContext, stream: StreamSpec) -> Publish:
    """A checkpoint as an ``audit.AuditCheckpointSigned`` event in ``stream``."""

    async def publish(checkpoint: Checkpoint, signature: bytes) -> None:
        envelope = Envelope(
            event_id=new_id(), type=CHECKPOINT_SIGNED, schema_version=1,
            tenant_id=checkpoint.tenant_id, aggregate_id=checkpoint.tenant_id,
            occurred_at=datetime.now(UTC), actor=Actor.system("audit"), correlation_id=new_id(),
            causation_id=None, policy_version=None,
            payload={"checkpoint": checkpoint.as_dict(), "signature": signature.hex()})
        msg_id = f"{checkpoint.tenant_id}:{checkpoint.size}:{checkpoint.issued_at}"
        await js.publish(subject(stream, checkpoint.tenant_id), encode_commit([envelope]),
                         stream=stream.name, headers={"Nats-Msg-Id": msg_id})

    return publish


def retention_reporter(js: JetStreamContext, stream: StreamSpec) -> Report:
    """A retention round that removed something of an organisation's, as an
    ``audit.RetentionApplied`` event in ``stream``: how many records were purged, the trail's
    new lower bound and the purge's own record number, and how many expired exports went."""

    async def report(tenant_id: str, done: Purged, exports_removed: int) -> None:
        envelope = Envelope(
            event_id=new_id(), type=RETENTION_APPLIED, schema_version=1, tenant_id=tenant_id,
            aggregate_id=tenant_id, occurred_at=datetime.now(UTC), actor=Actor.system("audit"),
            correlation_id=new_id(), causation_id=None, policy_version=None,
            payload={"purged": done.purged,
                     "lower_bound": done.lower_bound if done.record is not None else None,
                     "record": done.record, "exports_removed": exports_removed,
                     "checkpoint_size": None if done.checkpoint is None
                     else done.checkpoint.size})
        await js.publish(stream.subject(tenant_id, "retention", tenant_id),
                         encode_commit([envelope]), stream=stream.name,
                         headers={"Nats-Msg-Id": envelope.event_id})

    return report


class PublishedCheckpoints:
    """Reads an organisation's published checkpoints, in the order they were published.
    Raises ``StoreUnavailable`` when the stream does not answer."""

    def __init__(self, nc: NATS, stream: StreamSpec, timeout: float = 5.0) -> None:
        self._stream, self._js = stream, nc.jetstream(timeout=timeout)
        self._reader = DirectReader(nc, stream.name, timeout)

    async def last(self, tenant_id: str) -> Checkpoint | None:
        """The organisation's last published checkpoint (None before its first)."""
        try:
            message = await self._js.get_last_msg(self._stream.name, subject(self._stream,
                                                                             tenant_id))
        except NotFoundError:
            return None
        found = [_signed(w.get("payload")) for w in commit_wire(message.data or b"")
                 if w.get("type") == CHECKPOINT_SIGNED]
        return next((s[0] for s in reversed(found) if s is not None), None)

    async def __call__(self, tenant_id: str) -> list[Signed]:
        messages, _ = await self._reader.after(subject(self._stream, tenant_id), 0)
        found = []
        for message in messages:
            for wire in commit_wire(message.data):
                signed = _signed(wire.get("payload")) \
                    if wire.get("type") == CHECKPOINT_SIGNED else None
                if signed is not None:
                    found.append(signed)
        return found


def _signed(payload: object) -> Signed | None:
    """The checkpoint of an event's payload; None for one that holds none (it vouches for
    nothing, so it is passed over rather than allowed to stop every verification)."""
    if not isinstance(payload, dict):
        return None
    try:
        return (Checkpoint.from_dict(payload["checkpoint"]),
                bytes.fromhex(payload["signature"]))
    except (KeyError, TypeError, ValueError):
        return None
