"""The compliance officer's API: query, verify, export, purge; the public keys; and every
person's own question, who has read my data. Every query is itself audited (an access event
that comes back into the trail); a purge records itself. Routes call the app layer and
translate its answers; nothing here reads a table."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response, StreamingResponse

from interlude.audit.api.schemas import (
    AccessEntryPublic,
    AccessHistoryPublic,
    CheckpointLine,
    ExportCreate,
    ExportLine,
    ExportPublic,
    ExportsPublic,
    KeysPublic,
    OcsfLine,
    PurgeCreate,
    PurgedPublic,
    RecordsPublic,
    VerificationPublic,
)
from interlude.audit.app import (
    access_history,
    export,
    query,
    retention,
    subject_export,
    verification,
)
from interlude.audit.app.audit import Audit
from interlude.audit.domain.witness import as_lines
from interlude.shared.auth import require_roles
from interlude.shared.events.envelope import CommandContext
from interlude.shared.kit import (
    MAX_INT,
    Instant,
    ItemId,
    app_dependency,
    context_dependency,
    problems,
)
from interlude.shared.text import SingleLine

router = APIRouter(tags=["audit"])
AuditDep = Annotated[Audit, Depends(app_dependency("audit"))]
ContextDep = Annotated[CommandContext, Depends(context_dependency("audit"))]
OFFICERS = [Depends(require_roles("compliance_officer"))]
# a filter is compared with what the trail stores: text it could not store is refused (422)
Text = Annotated[Annotated[str, SingleLine(200, min_length=0)] | None, Query()]
NDJSON = "application/x-ndjson"


# JSON Lines answers. Both are JSONResponses to FastAPI's OpenAPI only: so the 200 it writes
# is described by the line model declared on the route alone (not also as a plain string).

class NDJSONResponse(StreamingResponse, JSONResponse):
    """JSON Lines, streamed: one JSON object a line."""

    media_type = NDJSON


class NDJSONFile(JSONResponse):
    """JSON Lines, whole: the bytes given, as they are."""

    media_type = NDJSON

    def render(self, content: Any) -> bytes:
        return bytes(content)


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/v1/audit/keys", response_model=KeysPublic, responses=problems())
async def keys(audit: AuditDep) -> KeysPublic:
    """The public keys checkpoints are signed with, by key id (public: verifiers need them)."""
    return KeysPublic.model_validate({"keys": audit.public_jwks})


@router.get("/v1/audit/records", response_model=RecordsPublic, dependencies=OFFICERS,
            responses=problems(401, 403, 422))
async def records(audit: AuditDep, ctx: ContextDep, actor: Text = None,
                  subject: Text = None, action: Text = None, target_type: Text = None,
                  target_id: Text = None,
                  outcome: Literal["succeeded", "denied"] | None = None,
                  since: Instant | None = None, until: Instant | None = None,
                  order: Literal["newest", "oldest"] = "newest",
                  cursor: Annotated[int | None, Query(ge=0, le=MAX_INT)] = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> RecordsPublic:
    """The organisation's records, filtered; ``cursor`` = the ``next_cursor`` of the last page."""
    filters = query.Filters(actor, subject, action, target_type, target_id, outcome, since,
                            until)
    found = await query.records(audit, ctx, filters, order=order, cursor=cursor, limit=limit)
    return RecordsPublic.of(found)


@router.get("/v1/audit/my-data/accesses", response_model=AccessHistoryPublic,
            responses=problems(401, 403, 422))
async def my_data_accesses(audit: AuditDep, ctx: ContextDep,
                           cursor: Annotated[int | None, Query(ge=0, le=MAX_INT)] = None,
                           limit: Annotated[int, Query(ge=1, le=200)] = 50
                           ) -> AccessHistoryPublic:
    """Who has read my data, or tried and was refused: anyone signed in asks about
    themselves (their coach's reads of their check-ins, say). Readers in a cohort space are
    shown by their part only; nothing about anyone else, and never the content."""
    found, after = await access_history.history(audit, ctx, cursor=cursor, limit=limit)
    return AccessHistoryPublic(accesses=[AccessEntryPublic.of(e) for e in found],
                               next_cursor=after)


@router.post("/v1/audit/my-data/exports", response_model=ExportPublic, status_code=201,
             responses=problems(401, 403, 404, 413, 422, 429))
async def request_export(audit: AuditDep, ctx: ContextDep, body: ExportCreate) -> ExportPublic:
    """Export everything the product holds about me (GDPR articles 15 and 20), or, for a
    compliance officer, about a person of the organisation (``subject_id``, with a
    ``reason``). Every part of the product is asked for its section; one that does not answer
    in time is named in ``missing``. Answers when the archive is ready (seconds)."""
    return ExportPublic.of(await subject_export.request(audit, ctx, body.subject_id,
                                                        body.reason))


@router.get("/v1/audit/my-data/exports", response_model=ExportsPublic,
            responses=problems(401, 403))
async def my_exports(audit: AuditDep, ctx: ContextDep) -> ExportsPublic:
    """The exports I asked for that can still be downloaded, newest first."""
    return ExportsPublic(exports=[ExportPublic.of(e) for e in
                                  await subject_export.mine(audit, ctx)])


@router.get("/v1/audit/my-data/exports/{export_id}", response_model=ExportPublic,
            responses=problems(401, 403, 404, 422))
async def my_export(audit: AuditDep, ctx: ContextDep, export_id: ItemId) -> ExportPublic:
    return ExportPublic.of(await subject_export.one(audit, ctx, export_id))


class ZipFile(Response):
    media_type = "application/zip"


@router.get("/v1/audit/my-data/exports/{export_id}/archive", response_class=ZipFile,
            responses={200: {"content": {"application/zip": {
                                 "schema": {"type": "string", "format": "binary"}}},
                             "description": "the ZIP: a JSON file per part and index.html"},
                       **problems(401, 403, 404, 422)})
async def export_archive(audit: AuditDep, ctx: ContextDep, export_id: ItemId) -> ZipFile:
    """The export's ZIP, for whoever asked for it (the download is in the audit trail)."""
    stored, data = await subject_export.download(audit, ctx, export_id)
    return ZipFile(data, headers=_attachment(f"interlude-export-{stored.export_id}.zip"))


@router.get("/v1/audit/verify", response_model=VerificationPublic, dependencies=OFFICERS,
            responses=problems(401, 403))
async def verify(audit: AuditDep, ctx: ContextDep) -> VerificationPublic:
    """Recompute the organisation's chain, check every record's columns against its hashed
    bytes and every checkpoint's signature, and hold the trail against the checkpoints
    published to JetStream. ``failures``: everything found, ``first_failure`` first."""
    return VerificationPublic.of(await verification.verify(audit, ctx))


@router.get("/v1/audit/checkpoints", response_class=NDJSONFile, dependencies=OFFICERS,
            responses={200: {"model": CheckpointLine,
                             "description": "one checkpoint a line (JSON Lines)"},
                       **problems(401, 403)})
async def published_checkpoints(audit: AuditDep, ctx: ContextDep) -> NDJSONFile:
    """The organisation's checkpoints as published to JetStream (not as the database holds
    them): what ``interlude-audit verify --export FILE --published THIS`` holds an export to."""
    found = await export.published(audit, ctx)
    return NDJSONFile(b"".join(as_lines(found)),
                      headers=_attachment(f"audit-{ctx.tenant_id}.checkpoints.jsonl"))


@router.get("/v1/audit/export", response_class=NDJSONResponse, dependencies=OFFICERS,
            responses={200: {"model": ExportLine | OcsfLine,
                             "description": "JSON Lines: keys, records, checkpoints (jsonl); "
                                            "or one OCSF event a line (ocsf)"},
                       **problems(401, 403, 422)})
async def export_trail(audit: AuditDep, ctx: ContextDep,
                       format: Literal["jsonl", "ocsf"] = "jsonl") -> NDJSONResponse:
    """JSON Lines, verifiable offline with the public key and the published checkpoints
    (``/v1/audit/checkpoints``); or OCSF events."""
    body = await export.export(audit, ctx, format)
    name = f"audit-{ctx.tenant_id}.{'jsonl' if format == 'jsonl' else 'ocsf.jsonl'}"
    return NDJSONResponse(body, headers=_attachment(name))


@router.post("/v1/audit/purges", response_model=PurgedPublic, dependencies=OFFICERS,
             responses=problems(401, 403, 413, 422))
async def purge(audit: AuditDep, ctx: ContextDep, body: PurgeCreate) -> PurgedPublic:
    """Purge the records older than the organisation's retention (``data.retention_days``),
    from the oldest end. The purge first records itself and signs a checkpoint stating the new
    lower bound, so the trail still verifies. Nothing older: nothing purged (and the call is
    recorded as an access)."""
    return PurgedPublic.of(await retention.purge_as_asked(audit, ctx, body.reason))
