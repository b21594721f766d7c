"""My data, for everyone signed in: who has read it (or tried and was refused), and an export
of all of it (GDPR articles 15 and 20) that web streams to the person who asked, and only to
them, with their own token. A compliance officer exports a named person's data with a reason."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from interlude.web.deps import FormDep, ItemId, OfficerDep, SessionDep, WebDep
from interlude.web.pages.common import Part, part, status_of, text
from interlude.web.sessions import Session
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import EXPORT_OFF, exporting

router = APIRouter(include_in_schema=False)
API = "/v1/audit/my-data"
PAGE = 25
# what kind of content a read was of, in words (audit names the target's type)
CONTENT = {"checkins": "your check-ins", "messages": "your messages with your coach",
           "goals": "your goals and experiments", "contract": "your contract",
           "contracts": "your contracts", "sessions": "your sessions",
           "growth": "your growth record", "post": "a post of yours",
           "space_feed": "a community space's posts", "rehearsal": "a draft you rehearsed",
           "rehearsals": "drafts you rehearsed", "notifications": "your notifications",
           "subject_export": "an export of your data", "access_history": "this page",
           "user": "your account", "join_requests": "your request to join a circle"}
# the parts of the product an export gathers from, in words
PARTS = {"identity": "your account", "engagement": "your coaching (contracts, check-ins, "
         "messages, goals)", "community": "what you wrote in the community",
         "notify": "your notifications", "audit": "who has read your data"}
ROLES = {"coach": "a coach", "coachee": "a coachee", "sponsor": "a sponsor",
         "org_admin": "an administrator", "compliance_officer": "a compliance officer"}


def reader(entry: dict[str, Any]) -> str:
    """Who read, as far as the person may know: a name, else their part."""
    found = entry["reader"]
    if found["kind"] == "service":
        return f"Interlude's {entry['service']} service, on its own"
    part_of = " or ".join(ROLES.get(r, r.replace("_", " ")) for r in found["roles"])
    if found.get("name"):
        return f"{found['name']} ({part_of})" if part_of else found["name"]
    if found.get("id"):
        return f"someone no longer named ({part_of or 'a former member'})"
    return f"{part_of or 'a member'} of a community space you are in (by their part only)"


def content(entry: dict[str, Any]) -> str:
    kind = entry["content"]
    return CONTENT.get(kind, kind.replace("_", " ") or "your data")


async def _accesses(deps: WebDep, session: Session, cursor: str) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": PAGE}
    if cursor.isdigit():
        params["cursor"] = int(cursor)
    found: dict[str, Any] = await deps.upstream.call(session, "audit", "GET",
                                                     f"{API}/accesses", params=params)
    return found


async def _exports(deps: WebDep, session: Session) -> list[dict[str, Any]]:
    found = await deps.upstream.call(session, "audit", "GET", f"{API}/exports")
    exports: list[dict[str, Any]] = found["exports"]
    return exports


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else \
        f"{max(1, round(size / 1000))} kB"


async def page(request: Request, deps: WebDep, session: Session, *, status: int = 200,
               error: str | None = None) -> Response:
    cursor = request.query_params.get("cursor", "")[:20]
    accesses, exports = await asyncio.gather(part(_accesses(deps, session, cursor)),
                                             part(_exports(deps, session)))
    mine = Part(value=[e for e in exports.value or [] if e["subject_id"] == session.user_id],
                problem=exports.problem)
    return deps.pages.render(request, "my_data/page.html", session, status=status,
                             title="My data", accesses=accesses, exports=mine, error=error,
                             reader=reader, content=content, size=_size, cursor=cursor,
                             parts=PARTS, export_off=EXPORT_OFF)


@router.get("/my-data")
async def my_data(request: Request, deps: WebDep, session: SessionDep) -> Response:
    return await page(request, deps, session)


async def _export(deps: WebDep, session: Session,
                  body: dict[str, Any]) -> UpstreamProblem | None:
    """Ask audit for an export (it answers when the archive is ready), or why not."""
    try:
        await deps.upstream.call(session, "audit", "POST", f"{API}/exports", json=body)
    except UpstreamProblem as problem:
        return problem
    return None


@router.post("/my-data/exports")
async def export(request: Request, deps: WebDep, session: SessionDep,
                 form: FormDep) -> Response:
    refused = await _export(deps, session, {})
    if refused:
        return await page(request, deps, session, status=status_of(refused),
                          error=exporting(refused))
    session.flash.append("Your export is ready: download it below. It is kept for you alone "
                         "until the date shown, then deleted.")
    return RedirectResponse("/my-data#exports", status_code=303)


@router.get("/my-data/exports/{export_id}/archive")
async def archive(export_id: ItemId, deps: WebDep, session: SessionDep) -> Response:
    """The ZIP, streamed from audit as it comes; audit answers only whoever asked for it."""
    found = await deps.upstream.stream(session, "audit", f"{API}/exports/{export_id}/archive",
                                       headers={}, read_timeout=deps.settings.upstream_timeout_s)
    name = f"interlude-export-{export_id}.zip"
    headers = {"Content-Disposition": f'attachment; filename="{name}"',
               "Cache-Control": "no-store"}
    if (length := found.headers.get("content-length")) and \
            "content-encoding" not in found.headers:  # else the decoded length differs
        headers["Content-Length"] = length
    return StreamingResponse(found.aiter_bytes(), media_type="application/zip", headers=headers,
                             background=BackgroundTask(found.aclose))


async def _people(deps: WebDep, session: Session) -> list[dict[str, str]]:
    found = await deps.upstream.call(session, "identity", "GET",
                                     f"/v1/organisations/{session.tenant_id}/users",
                                     params={"limit": 500})
    return [{"id": u["id"], "name": u.get("display_name") or u.get("email") or u["id"]}
            for u in found["users"] if u["status"] != "forgotten"]


async def officer_page(request: Request, deps: WebDep, session: Session, *, status: int = 200,
                       error: str | None = None,
                       typed: dict[str, str] | None = None) -> Response:
    people, exports = await asyncio.gather(part(_people(deps, session)),
                                           part(_exports(deps, session)))
    names = {p["id"]: p["name"] for p in people.value or []}
    theirs = Part(value=[e for e in exports.value or [] if e["subject_id"] != session.user_id],
                  problem=exports.problem)
    return deps.pages.render(request, "my_data/officer.html", session, status=status,
                             title="Export a person's data", people=people, exports=theirs,
                             names=names, error=error, size=_size, parts=PARTS,
                             typed=typed or {"subject": "", "subject_id": "", "reason": ""})


@router.get("/compliance/exports")
async def officer_exports(request: Request, deps: WebDep, session: OfficerDep) -> Response:
    return await officer_page(request, deps, session)


@router.post("/compliance/exports")
async def officer_export(request: Request, deps: WebDep, session: OfficerDep,
                         form: FormDep) -> Response:
    typed = {"subject": text(form, "subject", 64), "subject_id": text(form, "subject_id", 64),
             "reason": text(form, "reason", 500)}
    subject = typed["subject_id"] or typed["subject"]
    if not subject:
        return await officer_page(request, deps, session, status=400, typed=typed,
                                  error="Choose the person whose data to export, by name "
                                        "or by their id.")
    refused = await _export(deps, session, {"subject_id": subject,
                                            "reason": typed["reason"] or None})
    if refused:
        return await officer_page(request, deps, session, status=status_of(refused),
                                  typed=typed, error=exporting(refused))
    session.flash.append("The export is ready: download it below. The request and its reason "
                         "are in the audit trail.")
    return RedirectResponse("/compliance/exports", status_code=303)
