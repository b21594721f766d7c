"""A contract's sessions (booked, held, cancelled, against the plan), booking one in the
person's own time zone, and the private calendar address that puts them in a calendar app."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from interlude.web.deps import ContractId, FormDep, ItemId, SessionDep, WebDep
from interlude.web.pages.common import key_of, new_key, sent, text
from interlude.web.sessions import Session

router = APIRouter(include_in_schema=False)
PAGE = "/contracts/{contract_id}/sessions"
MODES = (("video", "Video"), ("phone", "Phone"), ("in_person", "In person"))


async def _page(request: Request, deps: WebDep, session: Session, contract_id: str, *,
                status: int = 200, error: str | None = None,
                values: dict[str, str] | None = None) -> Response:
    path = f"/v1/contracts/{contract_id}"
    contract = await deps.upstream.call(session, "engagement", "GET", path)
    found = await deps.upstream.call(session, "engagement", "GET", f"{path}/sessions")
    now = datetime.now(UTC)
    begun = {s["id"] for s in found["sessions"]
             if datetime.fromisoformat(s["starts_at"]) <= now}
    # a booking refused is said in its form, at the foot of the page, with what was typed
    return deps.pages.render(request, "sessions.html", session, status=status,
                             title="Sessions", contract=contract, found=found, modes=MODES,
                             error=error, key=new_key(), begun=begun, booking=values is not None,
                             values={"day": "", "time": "", "zone": "UTC", "mode": ""}
                             | (values or {}))


@router.get(PAGE)
async def sessions(request: Request, contract_id: ContractId, deps: WebDep,
                   session: SessionDep) -> Response:
    return await _page(request, deps, session, contract_id)


def _starts_at(values: dict[str, str]) -> str:
    """The day and time typed, in the time zone named, as an ISO 8601 instant."""
    try:
        zone = ZoneInfo(values["zone"] or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("That time zone is unknown: use a name such as Europe/London.") \
            from None
    try:
        local = datetime.fromisoformat(f"{values['day']}T{values['time']}")
    except ValueError:
        raise ValueError("Please give the day and the time of the session.") from None
    return local.replace(tzinfo=zone).isoformat()


async def _send(request: Request, deps: WebDep, session: Session, contract_id: str,
                path: str, body: dict[str, Any], done: str, key: str | None = None,
                values: dict[str, str] | None = None) -> Response:
    async def again(status: int, error: str) -> Response:
        return await _page(request, deps, session, contract_id, status=status, error=error,
                           values=values)

    write = deps.upstream.call(session, "engagement", "POST",
                               f"/v1/contracts/{contract_id}/sessions{path}", json=body,
                               idempotency_key=key)
    return await sent(session, write, done=done, again=again,
                      back=PAGE.format(contract_id=contract_id))


@router.post(PAGE)
async def book(request: Request, contract_id: ContractId, deps: WebDep, session: SessionDep,
               form: FormDep) -> Response:
    values = {name: text(form, name, 64) for name in ("day", "time", "zone", "mode")}
    try:
        body: dict[str, Any] = {"starts_at": _starts_at(values)}
    except ValueError as error:
        return await _page(request, deps, session, contract_id, status=400, error=str(error),
                           values=values)
    if values["mode"] in dict(MODES):
        body["mode"] = values["mode"]
    return await _send(request, deps, session, contract_id, "", body,
                       "The session is booked.", key_of(form), values)


@router.post(PAGE + "/{session_id}/held")
async def held(request: Request, contract_id: ContractId, session_id: ItemId, deps: WebDep,
               session: SessionDep, form: FormDep) -> Response:
    return await _send(request, deps, session, contract_id, f"/{session_id}/held", {},
                       "The session is marked as held.")


@router.post(PAGE + "/{session_id}/cancellation")
async def cancel(request: Request, contract_id: ContractId, session_id: ItemId, deps: WebDep,
                 session: SessionDep, form: FormDep) -> Response:
    reason = text(form, "reason", 2000)
    return await _send(request, deps, session, contract_id, f"/{session_id}/cancellation",
                       {"reason": reason or None}, "The session is cancelled.")


@router.post("/calendar")
async def calendar(request: Request, deps: WebDep, session: SessionDep,
                   form: FormDep) -> Response:
    """A new private calendar address (any earlier one stops working)."""
    feed = await deps.upstream.call(session, "engagement", "POST", "/v1/calendar-feed")
    session.flash.append(f"Your calendar address (keep it private; it works until you make a "
                         f"new one): {feed['url']}")
    back = text(form, "back", 200)
    return RedirectResponse(back if back.startswith("/contracts/") else "/", status_code=303)
