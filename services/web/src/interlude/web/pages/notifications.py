"""The inbox (newest first, a page at a time), opening a notification (read, and on to where it
happened), reading them all; the e-mail preferences; and the live stream the page's script
listens to, relayed from notify with the session's token (the browser never sees it)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from starlette.datastructures import FormData

from interlude.web.badge import stale
from interlude.web.deps import FormDep, ItemId, SessionDep, WebDep
from interlude.web.pages.common import status_of, text
from interlude.web.pages.public import local
from interlude.web.sessions import Session
from interlude.web.upstream import EMAIL_OFF, UpstreamProblem
from interlude.web.wording import message

router = APIRouter(include_in_schema=False)
INBOX = "/v1/notify/notifications"
PREFERENCES = "/v1/notify/preferences"
PAGE_SIZE = 20
READ_ALL_MAX = 1000  # notify's read-all marks at most this many at once
TIMINGS = (("immediately", "At once"), ("daily", "In a daily digest"),
           ("weekly", "In a weekly digest"), ("never", "Never by e-mail"))
KINDS = {
    "coach_replied": "Your coach replied", "message_received": "A message from a coachee",
    "checkin_acknowledged": "Your coach acknowledged a check-in",
    "checkin_questioned": "Your coach asked about a check-in",
    "checkin_awaits": "A coachee's check-in waits for you",
    "reply_overdue": "A reply is overdue", "allowance_nearly_used": "Replies nearly used up",
    "allowance_renewed": "Replies renewed", "contract_awaits_signature": "A contract to sign",
    "contract_amended": "A contract amended", "consent_withdrawn": "A consent withdrawn",
    "session_tomorrow": "A session tomorrow", "session_moved": "A session moved",
    "session_cancelled": "A session cancelled", "post_commented": "A comment on your post",
    "comment_replied": "A reply to your comment", "post_reacted": "A reaction to your post",
    "member_tagged": "You were tagged", "post_shared": "Your post was shared",
    "insight_pinned": "Your coach pinned an insight", "post_hidden": "A post hidden",
    "pseudonym_revealed": "A pseudonym revealed", "space_invitation": "A community invitation",
    "rehearsal_drafted": "A rehearsal drafted", "rehearsal_feedback": "Feedback on a rehearsal",
    "invitation": "An invitation", "policy_changed": "The security policy changed",
    "content_expired": "A contract's content erased, as agreed",
    "quiet_invitation": "Your coach invites you to join in",
    "stepped_out_to_you": "A member showed you their name",
    "join_requested": "A coach asks to join your circle",
    "material_shared": "Your coach shares a material with your space",
}
# the roles notify ever tells of a kind (its recipients), the rest being for the two sides of
# coaching only: a kind is not offered to someone who cannot receive it (a compliance officer
# is not asked how to hear of comments on their posts)
COACHING = ("coach", "coachee")
RECEIVED_BY = {"message_received": ("coach",), "checkin_awaits": ("coach",),
               "reply_overdue": ("coach",), "rehearsal_drafted": ("coach",),
               "join_requested": ("coach",), "consent_withdrawn": ("coach",),
               "coach_replied": ("coachee",), "checkin_acknowledged": ("coachee",),
               "checkin_questioned": ("coachee",), "allowance_nearly_used": ("coachee",),
               "allowance_renewed": ("coachee",),
               "contract_awaits_signature": (*COACHING, "sponsor"),
               "contract_amended": (*COACHING, "sponsor"), "policy_changed": ("org_admin",),
               "invitation": ()}  # to someone not signed in yet: never theirs to choose here
HOUR = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
EVENT_ID = re.compile(r"^[0-9]{1,18}$")


def notify_here(deps: WebDep) -> None:
    if not deps.pages.inbox:
        raise UpstreamProblem(404, "not-found", "notifications are not part of this site")


@router.get("/notifications")
async def inbox(request: Request, deps: WebDep, session: SessionDep) -> Response:
    notify_here(deps)
    before = request.query_params.get("before", "")
    params: dict[str, Any] = {"limit": PAGE_SIZE}
    if before.isdigit() and len(before) < 19:
        params["before"] = int(before)
    page = await deps.upstream.call(session, "notify", "GET", INBOX, params=params)
    deps.badge.know(session, int(page["unread"]))
    return deps.pages.render(request, "notifications.html", session, title="Notifications",
                             page=page, first="before" in params,
                             email_off=EMAIL_OFF in session.switched_off)


@router.post("/notifications/read-all")
async def read_all(deps: WebDep, session: SessionDep, form: FormDep) -> Response:
    notify_here(deps)
    answer = await deps.upstream.call(session, "notify", "POST", f"{INBOX}/read-all")
    stale(session)
    count = int(answer["read"])
    if count >= READ_ALL_MAX:  # notify marks this many a request: the rest wait for another
        session.flash.append(f"{count} marked read. There are more: mark all read again.")
    else:
        session.flash.append("Everything is marked read." if count else "Nothing was unread.")
    return RedirectResponse("/notifications", status_code=303)


@router.post("/notifications/{notification_id}/open")
async def open_one(notification_id: ItemId, deps: WebDep, session: SessionDep,
                   form: FormDep) -> Response:
    notify_here(deps)
    await deps.upstream.call(session, "notify", "POST", f"{INBOX}/{notification_id}/read")
    stale(session)
    # where it happened, as the list showed it (only ever a page of this site)
    return RedirectResponse(local(text(form, "link", 2000)) or "/notifications",
                            status_code=303)


async def _preferences_page(request: Request, deps: WebDep, session: Session, *,
                            status: int = 200, error: str | None = None,
                            typed: dict[str, Any] | None = None) -> Response:
    saved = await deps.upstream.call(session, "notify", "GET", PREFERENCES)
    quiet = saved.get("quiet_hours") or {}
    shown = typed or {"email": saved["email"], "quiet_start": quiet.get("start", ""),
                      "quiet_end": quiet.get("end", ""), "time_zone": saved["time_zone"],
                      "digest_hour": saved["digest_hour"]}
    kinds = [(kind, KINDS.get(kind, kind.replace("_", " ").capitalize()))
             for kind in saved["email"] if session.has(*RECEIVED_BY.get(kind, COACHING))]
    return deps.pages.render(request, "preferences.html", session, status=status,
                             title="Notification preferences", prefs=shown, kinds=kinds,
                             timings=TIMINGS, error=error,
                             email_off=EMAIL_OFF in session.switched_off)


@router.get("/notifications/preferences")
async def preferences(request: Request, deps: WebDep, session: SessionDep) -> Response:
    notify_here(deps)
    return await _preferences_page(request, deps, session)


def _typed(form: FormData) -> dict[str, Any]:
    timings = {value for value, _ in TIMINGS}
    email = {name.removeprefix("email."): value for name, value in form.multi_items()
             if name.startswith("email.") and isinstance(value, str) and value in timings}
    hour = text(form, "digest_hour", 2)
    return {"email": email, "quiet_start": text(form, "quiet_start", 5),
            "quiet_end": text(form, "quiet_end", 5), "time_zone": text(form, "time_zone", 64),
            "digest_hour": int(hour) if hour.isdigit() and int(hour) < 24 else None}


def _problem(typed: dict[str, Any]) -> str | None:
    """What a person must fix before the preferences can be saved."""
    start, end = typed["quiet_start"], typed["quiet_end"]
    if bool(start) != bool(end):
        return "Give both the start and the end of your quiet hours, or leave both empty."
    if start and not (HOUR.match(start) and HOUR.match(end)):
        return "Write the quiet hours as hours and minutes, like 22:00 and 07:30."
    if start and start == end:
        return "Quiet hours need an end different from their start."
    try:
        ZoneInfo(typed["time_zone"])
    except (ZoneInfoNotFoundError, ValueError):
        return (f"“{typed['time_zone']}” is not a time zone we know. Write it as a region "
                "and a city, like Europe/Paris or America/New_York.")
    if typed["digest_hour"] is None:
        return "Choose the hour your digests arrive."
    return None


@router.post("/notifications/preferences")
async def save_preferences(request: Request, deps: WebDep, session: SessionDep,
                           form: FormDep) -> Response:
    notify_here(deps)
    typed = _typed(form)
    if error := _problem(typed):
        return await _preferences_page(request, deps, session, status=400, error=error,
                                       typed=typed)
    quiet = {"start": typed["quiet_start"], "end": typed["quiet_end"],
             "time_zone": typed["time_zone"]} if typed["quiet_start"] else None
    try:
        await deps.upstream.call(session, "notify", "PUT", PREFERENCES, json={
            "email": typed["email"], "quiet_hours": quiet, "time_zone": typed["time_zone"],
            "digest_hour": typed["digest_hour"]})
    except UpstreamProblem as problem:
        if problem.status == 404:
            raise
        return await _preferences_page(request, deps, session, status=status_of(problem),
                                       error=message(problem), typed=typed)
    session.flash.append("Your notification preferences are saved.")
    return RedirectResponse("/notifications/preferences", status_code=303)


@router.get("/live")
async def live(request: Request, deps: WebDep, session: SessionDep) -> Response:
    """notify's stream of this person's notifications, relayed as it comes. ``Last-Event-ID``
    goes on, so a dropped connection resumes where it stopped; an answer other than a stream
    (204) tells the browser's EventSource not to try again."""
    if not deps.pages.inbox:
        return Response(status_code=204)
    last = request.headers.get("last-event-id", "")
    headers = {"Last-Event-ID": last} if EVENT_ID.match(last) else {}
    try:
        answer = await deps.upstream.stream(session, "notify", "/v1/notify/stream",
                                            headers=headers,
                                            read_timeout=deps.settings.live_read_timeout_s)
    except UpstreamProblem:
        return Response(status_code=204)

    async def relay() -> AsyncIterator[bytes]:
        try:
            async for chunk in answer.aiter_raw():
                if not deps.store.holds(session):  # ended (signed out, forgotten): let it go
                    return
                if b"event: notification" in chunk:
                    stale(session)  # the next page asks for the count again
                yield chunk
        except httpx.HTTPError:
            return  # notify went away: the browser reconnects, with its last event id
        finally:
            await answer.aclose()

    return StreamingResponse(relay(), media_type="text/event-stream",
                             headers={"X-Accel-Buffering": "no"})
