"""An organisation's webhook endpoints (org admins), and the deliveries that failed for good."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import AfterValidator, BeforeValidator

from interlude.notify.api.outbound_deps import (
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    AdminDep,
    After,
    ContextDep,
    IdempotencyKey,
    ItemId,
    OutboundDep,
    caught_up,
)
from interlude.notify.api.outbound_public import (
    DeadLettersPublic,
    WebhookCreatedPublic,
    WebhookPublic,
    WebhookRotatedPublic,
    WebhooksPublic,
)
from interlude.notify.api.outbound_schemas import WebhookCreate, WebhookUpdate
from interlude.notify.app import webhooks
from interlude.shared.kit import WrittenPublic, as_text, in_range

router = APIRouter(prefix="/v1/notify/webhooks", tags=["webhooks"])


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["endpoint_id"], "url": row["url"], "kinds": list(row["kinds"]),
            "created_at": row["created_at"]}


@router.post("", status_code=201, response_model=WebhookCreatedPublic, responses=WRITE_PROBLEMS)
async def create(body: WebhookCreate, _: AdminDep, ctx: ContextDep, deps: OutboundDep,
                 key: IdempotencyKey = None) -> dict[str, Any]:
    """Register an endpoint; the answer holds its signing secret, shown this once."""
    created = await webhooks.register(deps, ctx, body.url, [str(k) for k in body.kinds], key)
    return {"id": created.written.id, "position": created.written.position,
            "secret": created.secret}


@router.get("", response_model=WebhooksPublic, responses=READ_PROBLEMS)
async def list_(_: AdminDep, ctx: ContextDep, deps: OutboundDep, request: Request,
                after: After = 0) -> dict[str, Any]:
    fresh = await caught_up(request, deps, after)
    return {"webhooks": [_public(r) for r in await webhooks.listed(deps, ctx)], "fresh": fresh}


@router.get("/dead-letters", response_model=DeadLettersPublic, responses=READ_PROBLEMS)
async def dead_letters(_: AdminDep, ctx: ContextDep, deps: OutboundDep,
                       limit: Annotated[int, Query(ge=1, le=100)] = 50,
                       before: Annotated[datetime, BeforeValidator(as_text),
                                         AfterValidator(in_range)] | None = None
                       ) -> dict[str, Any]:
    """Deliveries given up after every retry, newest first: replay them once fixed."""
    rows = await webhooks.dead_letters(deps, ctx, limit, before)
    return {"deliveries": rows,
            "next_before": rows[-1]["updated_at"] if len(rows) == limit else None}


@router.post("/dead-letters/{delivery_id}/replay", status_code=202,
             response_model=WrittenPublic, responses=WRITE_PROBLEMS)
async def replay(delivery_id: ItemId, _: AdminDep, ctx: ContextDep,
                 deps: OutboundDep) -> WrittenPublic:
    """Send a dead-lettered delivery again (with a new round of retries)."""
    return WrittenPublic.of(await webhooks.replay(deps, ctx, delivery_id))


@router.get("/{webhook_id}", response_model=WebhookPublic, responses=READ_PROBLEMS)
async def get(webhook_id: ItemId, _: AdminDep, ctx: ContextDep, deps: OutboundDep,
              request: Request, after: After = 0) -> dict[str, Any]:
    await caught_up(request, deps, after)
    return _public(await webhooks.one(deps, ctx, webhook_id))


@router.patch("/{webhook_id}", response_model=WrittenPublic, responses=WRITE_PROBLEMS)
async def update(webhook_id: ItemId, body: WebhookUpdate, _: AdminDep, ctx: ContextDep,
                 deps: OutboundDep) -> WrittenPublic:
    kinds = None if body.kinds is None else [str(k) for k in body.kinds]
    return WrittenPublic.of(await webhooks.change(deps, ctx, webhook_id, body.url, kinds))


@router.post("/{webhook_id}/rotation", status_code=201, response_model=WebhookRotatedPublic,
             responses=WRITE_PROBLEMS)
async def rotate(webhook_id: ItemId, _: AdminDep, ctx: ContextDep, deps: OutboundDep,
                 key: IdempotencyKey = None) -> dict[str, Any]:
    """A new signing secret, shown once; the previous one stays valid for a grace period."""
    created, until = await webhooks.rotate(deps, ctx, webhook_id, key)
    return {"id": created.written.id, "position": created.written.position,
            "secret": created.secret, "previous_valid_until": until}


@router.delete("/{webhook_id}", response_model=WrittenPublic, responses=WRITE_PROBLEMS)
async def delete(webhook_id: ItemId, _: AdminDep, ctx: ContextDep,
                 deps: OutboundDep) -> WrittenPublic:
    return WrittenPublic.of(await webhooks.remove(deps, ctx, webhook_id))
