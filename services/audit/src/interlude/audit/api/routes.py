"""The compliance officer's API: query, verify, export; and the public keys. Every query is
itself audited (an access event that comes back into the trail)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from interlude.audit.app import export, query
from interlude.audit.chain.checkpoint import key_id
from interlude.audit.trail import verify_tenant
from interlude.shared.access import Access
from interlude.shared.auth import Principal, require_roles
from interlude.shared.http.context import request_id_var, source_address_var

router = APIRouter(tags=["audit"])
OfficerDep = Annotated[Principal, Depends(require_roles("compliance_officer"))]
Text = Annotated[str | None, Query(max_length=200)]


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
    """Recompute the organisation's chain and check every checkpoint's signature."""
    key = request.app.state.public_key
    result = await verify_tenant(request.app.state.pool, officer.tenant_id, {key_id(key): key})
    await _audited(request, officer, "verify")
    failure = result.first_failure
    return {"ok": result.ok, "records_checked": result.records_checked,
            "checkpoints_checked": result.checkpoints_checked, "warnings": result.warnings,
            "first_failure": None if failure is None else {
                "seq": failure.seq, "kind": failure.kind, "message": failure.message}}


@router.get("/v1/audit/export", response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {}}}})
async def export_trail(request: Request, officer: OfficerDep,
                       format: Literal["jsonl", "ocsf"] = "jsonl") -> StreamingResponse:
    """JSON Lines, self-contained and verifiable offline with the public key; or OCSF events."""
    await _audited(request, officer, f"export.{format}")
    pool = request.app.state.pool
    body = (export.jsonl(pool, officer.tenant_id, request.app.state.public_jwks)
            if format == "jsonl" else export.ocsf(pool, officer.tenant_id))
    name = f"audit-{officer.tenant_id}.{'jsonl' if format == 'jsonl' else 'ocsf.jsonl'}"
    return StreamingResponse(body, media_type="application/x-ndjson",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})
