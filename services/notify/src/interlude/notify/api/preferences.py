"""The signed-in person's own notification preferences."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from interlude.notify.api.outbound_deps import (
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    After,
    ContextDep,
    OutboundDep,
    caught_up,
)
from interlude.notify.api.outbound_public import PreferencesPublic
from interlude.notify.api.outbound_schemas import PreferencesUpdate
from interlude.notify.app import preferences
from interlude.shared.kit import WrittenPublic

router = APIRouter(prefix="/v1/notify", tags=["preferences"])


@router.get("/preferences", response_model=PreferencesPublic, responses=READ_PROBLEMS)
async def get(ctx: ContextDep, deps: OutboundDep, request: Request,
              after: After = 0) -> dict[str, Any]:
    """When you are e-mailed, per kind; your quiet hours, time zone and digest hour."""
    fresh = await caught_up(request, deps, after)
    prefs = await preferences.read(deps, ctx)
    return {"email": prefs.every_timing(), "quiet_hours": prefs.quiet_hours,
            "time_zone": prefs.time_zone, "digest_hour": prefs.digest_hour, "fresh": fresh}


@router.put("/preferences", response_model=WrittenPublic, responses=WRITE_PROBLEMS)
async def put(body: PreferencesUpdate, ctx: ContextDep, deps: OutboundDep) -> WrittenPublic:
    """Set all of your preferences at once (kinds not named take their defaults)."""
    hours = None if body.quiet_hours is None else body.quiet_hours.to_domain()
    email = {str(kind): str(timing) for kind, timing in body.email.items()}
    return WrittenPublic.of(await preferences.change(deps, ctx, email, hours, body.time_zone,
                                                     body.digest_hour))
