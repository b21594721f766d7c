"""The caller's inbox: list (newest first, keyset pages), unread count, read one, read all,
and the live stream (Server-Sent Events, resumable with ``Last-Event-ID``)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from sse_starlette import EventSourceResponse

from interlude.notify.api.deps import (
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    After,
    ContextDep,
    ItemId,
    LiveDep,
    NotifyDep,
    caught_up,
)
from interlude.notify.api.public import (
    NotificationPublic,
    NotificationsPublic,
    ReadAllPublic,
    UnreadPublic,
)
from interlude.notify.app import inbox, reads
from interlude.shared.auth import StandingDep
from interlude.shared.kit import MAX_INT, WrittenPublic, problems

router = APIRouter(prefix="/v1/notify", tags=["inbox"])
Limit = Annotated[int, Query(ge=1, le=100)]
Before = Annotated[int | None, Query(ge=1, le=MAX_INT,
                                     description="the ``next`` of the previous page")]
LastEventId = Annotated[int | None, Header(
    alias="Last-Event-ID", ge=0, le=2**62,
    description="the id of the last event received: the stream resumes after it")]
STREAM = {"content": {"text/event-stream": {"schema": {
    "$ref": "#/components/schemas/NotificationPublic"}}},
    "description": "``notification`` events (id: the notification's seq, data: a "
                   "NotificationPublic as JSON); ``post`` events, news kept nowhere and "
                   "without an id (data: ``{kind: post_published, space_id, post_id}``, a new "
                   "post in a space of the caller's, to fetch from community); and comments "
                   "to keep the connection alive"}


@router.get("/notifications", response_model=NotificationsPublic, responses=READ_PROBLEMS)
async def notifications(ctx: ContextDep, deps: NotifyDep, request: Request, after: After = 0,
                        limit: Limit = 50, before: Before = None,
                        unread: bool = False) -> dict[str, Any]:
    fresh = await caught_up(request, after)
    page = await reads.notifications(deps, ctx, limit=limit, before=before, unread_only=unread)
    return {**page, "fresh": fresh}


@router.get("/notifications/unread-count", response_model=UnreadPublic,
            responses=READ_PROBLEMS)
async def unread_count(ctx: ContextDep, deps: NotifyDep, request: Request,
                       after: After = 0) -> dict[str, Any]:
    fresh = await caught_up(request, after)
    return {"unread": await reads.unread(deps, ctx), "fresh": fresh}


@router.post("/notifications/{notification_id}/read", responses=WRITE_PROBLEMS)
async def read_one(notification_id: ItemId, ctx: ContextDep,
                   deps: NotifyDep) -> WrittenPublic:
    return WrittenPublic.of(await inbox.mark_read(deps, ctx, notification_id))


@router.post("/notifications/read-all", response_model=ReadAllPublic, responses=WRITE_PROBLEMS)
async def read_all(ctx: ContextDep, deps: NotifyDep) -> dict[str, Any]:
    count, position = await inbox.read_all(deps, ctx)
    return {"read": count, "position": position}


@router.get("/stream", response_class=EventSourceResponse,
            responses={200: STREAM, **problems(401, 403, 422)})
async def stream(ctx: ContextDep, deps: NotifyDep, live: LiveDep, standing: StandingDep,
                 last_event_id: LastEventId = None) -> EventSourceResponse:
    """Ends when the caller's token expires or no longer would be let in (deactivated, roles
    changed), or the organisation closes the inbox: reconnect with a fresh token and the
    ``Last-Event-ID`` received, and nothing is missed."""
    following = await reads.live(deps, ctx, live, last_event_id, standing)

    async def events() -> AsyncIterator[dict[str, str]]:
        async for shown in following:
            if "news" in shown:  # no id: a resumed stream goes on from the last notification
                yield {"event": "post", "data": json.dumps(shown["news"])}
                continue
            yield {"id": str(shown["seq"]), "event": "notification",
                   "data": NotificationPublic.model_validate(shown).model_dump_json()}

    return EventSourceResponse(events(), ping=15, send_timeout=30)


