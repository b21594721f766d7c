"""Where audit's parts are found and built; the composition roots build from here."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from interlude.audit.adapters.signing import public_jwk
from interlude.audit.adapters.witness import CHECKPOINT_SIGNED, PublishedCheckpoints, publisher
from interlude.audit.app.audit import Audit, Gather
from interlude.audit.app.checkpoints import Checkpointer, Publish
from interlude.audit.projections.intake import AuditIntake
from interlude.audit.projections.people import People
from interlude.audit.settings import AuditSettings
from interlude.shared.auth import service_secret
from interlude.shared.eventstore.streams import ensure_stream
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.runtime import Platform, master_secret
from interlude.shared.subject_access import Gathered, gather_sections
from interlude.shared.trust.runtime import Trust

MIGRATIONS = Path(__file__).parent / "migrations"
SOURCES = ("identity", "engagement", "community", "notify", "access")
__all__ = ["CHECKPOINT_SIGNED", "MIGRATIONS", "SOURCES", "build_audit", "checkpoint_publisher",
           "ensure_sources", "published_checkpoints", "publisher", "runners"]


def gatherer(platform: Platform, deadline_s: float) -> Gather:
    """Asks every service audit records (each one that holds people's data) for its section
    of a person's data."""
    services = [source for source in SOURCES if source != "access"]

    async def gather(tenant_id: str, subject_id: str, export_id: str) -> Gathered:
        return await gather_sections(platform.nc, services, platform.settings.stream_namespace,
                                     tenant_id, subject_id, export_id, deadline_s)

    return gather


def build_audit(platform: Platform, trust: Trust, key: Ed25519PrivateKey,
                settings: AuditSettings) -> Audit:
    """The API's application object. Its signer signs the checkpoint of a purge; the worker
    signs every other one. (audit derives no ids from requests yet; its id secret is its own
    all the same, so that one day it does, no other service's ids collide with its.)"""
    return Audit(
        policy=trust, pool=platform.pool, sealer=platform.sealer, access=platform.access,
        access_stream=platform.stream("access").name,
        gather=gatherer(platform, settings.export_deadline_s),
        export_ttl_days=settings.export_ttl_days,
        id_secret=service_secret(master_secret(platform.settings), "audit-ids").encode(),
        signer=Checkpointer(platform.pool, key, publish=checkpoint_publisher(platform)),
        published=published_checkpoints(platform), public_key=key.public_key(),
        public_jwks=[public_jwk(key)], policy_version=trust.cache.policy_version)


async def ensure_sources(platform: Platform) -> None:
    """Every stream audit reads (and its own) exists, even before its service first starts."""
    for service in (*SOURCES, "audit"):
        await ensure_stream(platform.js, platform.stream(service),
                            platform.settings.stream_replicas)


def runners(platform: Platform, batch_size: int = 500) -> list[ProjectionRunner]:
    """One intake per source stream, all appending to the organisations' chains; and the
    people of each organisation (who read whose data is told by name)."""
    def runner(projection: AuditIntake | People, source: str) -> ProjectionRunner:
        return ProjectionRunner(projection, platform.stream(source), platform.nc,
                                platform.pool, deadletters=platform.stream("deadletter"),
                                batch_size=batch_size)

    return [*(runner(AuditIntake(source), source) for source in SOURCES),
            runner(People(platform.sealer), "identity")]


def checkpoint_publisher(platform: Platform) -> Publish:
    """Checkpoints leave the database: each is an event in the AUDIT stream."""
    return publisher(platform.js, platform.stream("audit"))


def published_checkpoints(platform: Platform) -> PublishedCheckpoints:
    """What the verifier holds the database against: the checkpoints in the AUDIT stream."""
    return PublishedCheckpoints(platform.nc, platform.stream("audit"))
