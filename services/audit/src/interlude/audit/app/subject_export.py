"""Subject access and portability: a person asks for everything the product holds about them
(or a compliance officer asks for them, with a reason); every service answers with its section
over NATS (``interlude.shared.subject_access``), audit adds who has read their data, and the ZIP
(``domain.subject_export``) is stored sealed under the person's key until it expires. Only
whoever asked may download it; asking and downloading are both in the trail."""

from __future__ import annotations

import base64
from dataclasses import asdict
from datetime import timedelta

from interlude.audit.app.access_history import entries_about
from interlude.audit.app.audit import Audit
from interlude.audit.domain.subject_export import archive, manifest
from interlude.audit.projections import exports
from interlude.audit.projections.exports import StoredExport
from interlude.shared import directory
from interlude.shared.access import Access
from interlude.shared.errors import DomainError, Invalid, NotAllowed, NotFound
from interlude.shared.events.envelope import CommandContext
from interlude.shared.ids import new_id
from interlude.shared.projections.sealed import opened_or_none
from interlude.shared.sealing import Secret

__all__ = ["StoredExport", "TooManyExports", "download", "mine", "one", "request"]
OFFICER = "compliance_officer"
MOST_ACCESSES = 10_000  # the newest reads of the person's data that go into an export
MOST_KEPT = 5  # exports one person may hold ready at once (each gathers every service's data)


class TooManyExports(DomainError):
    status, slug = 429, "too-many-exports"


async def request(audit: Audit, ctx: CommandContext, subject_id: str | None,
                  reason: str | None) -> StoredExport:
    """Gather, seal and keep the export of ``subject_id``'s data (the caller's own when
    None)."""
    subject = subject_id or ctx.actor.id
    if subject != ctx.actor.id:
        if OFFICER not in ctx.actor.roles:
            raise NotAllowed("only a compliance officer may ask for another person's data")
        if not reason:
            raise Invalid("say why you ask for this person's data: the reason is kept in the"
                          " audit trail")
        if await directory.person(audit.pool, ctx.tenant_id, subject) is None:
            raise NotFound("there is no such person in your organisation")
    else:
        await audit.enforce(ctx, "export.self_service", "export", "subject_export", subject)
    export_id, now = new_id(), ctx.now
    ready = await exports.requested_by(audit.pool, ctx.tenant_id, ctx.actor.id, now)
    if len(ready) >= MOST_KEPT:
        first = min(e.expires_at for e in ready)
        raise TooManyExports(
            f"you have {len(ready)} exports ready to download: download one of them, or ask"
            f" again after {first.isoformat(timespec='minutes')}, when the first expires",
            retry_after=max(1, int((first - now).total_seconds())))
    gathered = await audit.gather(ctx.tenant_id, subject, export_id)
    accesses, _ = await entries_about(audit, ctx.tenant_id, subject, cursor=None,
                                      limit=MOST_ACCESSES)
    sections = {**gathered.sections, "audit": {"accesses": [asdict(e) for e in accesses]}}
    expires = now + timedelta(days=audit.export_ttl_days)
    about = manifest(export_id=export_id, tenant_id=ctx.tenant_id, subject_id=subject,
                     requester_id=ctx.actor.id, reason=reason, requested_at=now,
                     expires_at=expires, sections=sorted(sections), missing=gathered.missing)
    zipped = archive(about, sections, now)
    sealed = await audit.sealer.seal(Secret(base64.b64encode(zipped).decode(), subject),
                                     tenant=ctx.tenant_id, event_id=export_id, field="archive")
    stored = StoredExport(export_id, subject, ctx.actor.id, reason, now, expires,
                          sorted(sections), dict(gathered.missing), len(zipped))
    value = kept_archive(export_id, sealed)
    await exports.store(audit.pool, ctx.tenant_id, stored, value)
    await _record(audit, ctx, "export", stored)
    return stored


def kept_archive(export_id: str, sealed: dict[str, object]) -> dict[str, object]:
    """The sealed archive as read models keep sealed values (``projections.sealed.kept``), so
    that ``opened_or_none`` opens it."""
    return {"event_id": export_id, "field": "archive", "sealed": sealed}


async def mine(audit: Audit, ctx: CommandContext) -> list[StoredExport]:
    """The exports the caller asked for that have not expired, newest first."""
    return await exports.requested_by(audit.pool, ctx.tenant_id, ctx.actor.id, ctx.now)


async def one(audit: Audit, ctx: CommandContext, export_id: str) -> StoredExport:
    found = await exports.one(audit.pool, ctx.tenant_id, export_id, ctx.actor.id, ctx.now)
    if found is None:
        raise NotFound("there is no such export (or it has expired)")
    return found[0]


async def download(audit: Audit, ctx: CommandContext, export_id: str
                   ) -> tuple[StoredExport, bytes]:
    """The ZIP, for whoever asked for it; the download is in the trail."""
    found = await exports.one(audit.pool, ctx.tenant_id, export_id, ctx.actor.id, ctx.now,
                              with_archive=True)
    if found is None or found[1] is None:
        raise NotFound("there is no such export (or it has expired)")
    stored, value = found
    opened = await opened_or_none(audit.sealer, ctx.tenant_id, value)
    if opened is None:
        raise NotFound("this export is gone: the person it was about has been forgotten")
    await _record(audit, ctx, "download", stored)
    return stored, base64.b64decode(opened)


async def _record(audit: Audit, ctx: CommandContext, action: str,
                  stored: StoredExport) -> None:
    if audit.access is None:
        return
    await audit.access.record(Access(
        tenant_id=ctx.tenant_id, actor=ctx.actor, action=action,
        resource_type="subject_export", resource_id=stored.export_id,
        data_subject=stored.subject_id, reason=stored.reason,
        policy_version=ctx.policy_version, request_id=ctx.correlation_id,
        source_address=ctx.source_address))

