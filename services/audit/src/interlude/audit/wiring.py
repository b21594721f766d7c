"""Where audit's parts are found and built; the composition roots build from here."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from nats.js import JetStreamContext

from interlude.audit.app.checkpoints import Publish
from interlude.audit.chain.checkpoint import Checkpoint
from interlude.audit.projections.intake import AuditIntake
from interlude.shared.events.envelope import Actor, Envelope
from interlude.shared.eventstore.base import encode_commit
from interlude.shared.eventstore.streams import StreamSpec, ensure_stream
from interlude.shared.ids import new_id
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform

MIGRATIONS = Path(__file__).parent / "migrations"
SOURCES = ("identity", "engagement", "community", "notify", "access")
CHECKPOINT_SIGNED = "audit.AuditCheckpointSigned"


async def ensure_sources(platform: Platform) -> None:
    """Every stream audit reads (and its own) exists, even before its service first starts."""
    for service in (*SOURCES, "audit"):
        await ensure_stream(platform.js, platform.stream(service),
                            platform.settings.stream_replicas)


def runners(platform: Platform, batch_size: int = 500) -> list[ProjectionRunner]:
    """One intake per source stream, all appending to the organisations' chains."""
    return [ProjectionRunner(AuditIntake(source), platform.stream(source), platform.nc,
                             platform.pool, deadletters=platform.stream("deadletter"),
                             batch_size=batch_size) for source in SOURCES]


def checkpoint_publisher(platform: Platform) -> Publish:
    """Checkpoints leave the database: each is an event in the AUDIT stream."""
    return publisher(platform.js, platform.stream("audit"))


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
        await js.publish(stream.subject(checkpoint.tenant_id, "trail", checkpoint.tenant_id),
                         encode_commit([envelope]), stream=stream.name,
                         headers={"Nats-Msg-Id": msg_id})

    return publish
