"""The compliance officer's API: query, verify, export, purge; and the public keys. Every query
is itself audited (an access event that comes back into the trail); a purge records itself."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from interlude.audit.adapters.witness import as_lines
from interlude.audit.app import export, query, retention
from interlude.audit.chain.checkpoint import key_id
from interlude.audit.trail import verify_tenant
from interlude.shared.access import Access
from interlude.shared.auth import Principal, require_roles
from interlude.shared.http.context import request_id_var, source_address_var
from interlude.shared.text import SingleLine
from interlude.shared.trust.cache import NO_POLICY, PolicyBlocked

router = APIRouter(tags=["audit"])
OfficerDep = Annotated[Principal, Depends(require_roles("compliance_officer"))]
# a filter is compared with what the trail stores: text it could not store is refused (422)
Text = Annotated[Annotated[str, SingleLine(200, min_length=0)] | None, Query()]


class PurgeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, SingleLine(500)] = Field(description="why, for the record")


async def _audited(request: Request, officer: Principal, action: str) -> None:
    await request.app.state.access.record(Access(
        tenant_id=officer.tenant_id, actor=officer.actor, action=action,
        resource_type="audit_trail", resource_id=officer.tenant_id,
        policy_version=officer.policy_version, request_id=request_id_var.get(),
        source_address=source_address_var.get()))


@router.get("/v1/audit/keys")
async def keys(request: Request) -> dict[str, Any]:
    """The public keys checkpoints are signed with, by key id (public: verifiers need them)."""
    return {"keys": request.app.state.public_jwks}


@router.get("/v1/audit/records")
async def records(request: Request, officer: OfficerDep, actor: Text = None,
                  subject: Text = None, action: Text = None, target_type: Text = None,
                  target_id: Text = None,
                  outcome: Literal["succeeded", "denied"] | None = None,
                  since: AwareDatetime | None = None, until: AwareDatetime | None = None,
                  order: Literal["newest", "oldest"] = "newest",
                  cursor: Annotated[int | None, Query(ge=0)] = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    """The organisation's records, filtered; ``cursor`` = the ``next_cursor`` of the last page."""
    filters = query.Filters(actor, subject, action, target_type, target_id, outcome, since,
                            until)
    found = await query.search(request.app.state.pool, officer.tenant_id, filters, order=order,
                               cursor=cursor, limit=limit)
    await _audited(request, officer, "query")
    return found


@router.get("/v1/audit/verify")
async def verify(request: Request, officer: OfficerDep) -> dict[str, Any]:
    """Recompute the organisation's chain, check every record's columns against its hashed
    bytes and every checkpoint's signature, and hold the trail against the checkpoints
    published to JetStream. ``failures``: everything found, ``first_failure`` first."""
    key = request.app.state.public_key
    result = await verify_tenant(request.app.state.pool, officer.tenant_id, {key_id(key): key},
                                 request.app.state.published)
    await _audited(request, officer, "verify")
    failures = [{"seq": f.seq, "kind": f.kind, "message": f.message} for f in result.failures]
    return {"ok": result.ok, "records_checked": result.records_checked,
            "checkpoints_checked": result.checkpoints_checked, "warnings": result.warnings,
            "first_failure": failures[0] if failures else None, "failures": failures}


@router.get("/v1/audit/checkpoints", response_class=Response,
            responses={200: {"content": {"application/x-ndjson": {}}}})
async def published_checkpoints(request: Request, officer: OfficerDep) -> Response:
    """The organisation's checkpoints as published to JetStream (not as the database holds
    them): what ``interlude-audit verify --export FILE --published THIS`` holds an export to."""
    found = await request.app.state.published(officer.tenant_id)
    await _audited(request, officer, "checkpoints")
    name = f"audit-{officer.tenant_id}.checkpoints.jsonl"
    return Response(b"".join(as_lines(found)), media_type="application/x-ndjson",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/v1/audit/export", response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {}}}})
async def export_trail(request: Request, officer: OfficerDep,
                       format: Literal["jsonl", "ocsf"] = "jsonl") -> StreamingResponse:
    """JSON Lines, verifiable offline with the public key and the published checkpoints
    (``/v1/audit/checkpoints``); or OCSF events."""
    await _audited(request, officer, f"export.{format}")
    pool = request.app.state.pool
    body = (export.jsonl(pool, officer.tenant_id, request.app.state.public_jwks)
            if format == "jsonl" else export.ocsf(pool, officer.tenant_id))
    name = f"audit-{officer.tenant_id}.{'jsonl' if format == 'jsonl' else 'ocsf.jsonl'}"
    return StreamingResponse(body, media_type="application/x-ndjson",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/v1/audit/purges")
async def purge(request: Request, officer: OfficerDep, body: PurgeCreate) -> dict[str, Any]:
    """Purge the records older than the organisation's retention (``data.retention_days``),
    from the oldest end. The purge first records itself and signs a checkpoint stating the new
    lower bound, so the trail still verifies. Nothing older: nothing purged (and the call is
    recorded as an access)."""
    trust = request.app.state.trust
    policy = trust.policy(officer.tenant_id)
    if policy is None:
        raise PolicyBlocked("data.retention_days", officer.tenant_id, None, NO_POLICY)
    asked = retention.Purge(
        tenant_id=officer.tenant_id, actor=officer.actor, reason=body.reason,
        retention_days=policy.data_retention_days,
        policy_version=trust.cache.policy_version(officer.tenant_id),
        request_id=request_id_var.get(), source_address=source_address_var.get())
    done = await retention.purge(request.app.state.pool, request.app.state.signer, asked)
    if done.record is None:
        await _audited(request, officer, "purge")
    return done.public()
