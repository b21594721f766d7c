"""The compliance officer's pages: the audit trail searched with filters and pages (a GET form:
the address is the search), and the trail verified with its last signed checkpoint."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from interlude.web.deps import FormDep, ItemId, OfficerDep, WebDep
from interlude.web.pages.common import part, sent, text
from interlude.web.pages.people import ROLES
from interlude.web.sessions import Session
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

router = APIRouter(include_in_schema=False)
FILTERS = ("actor", "subject", "action", "target_type", "target_id", "outcome", "order")
PAGE_SIZE = 50


def _search(request: Request) -> tuple[dict[str, str], dict[str, Any], str | None]:
    """The filters as typed, the query audit gets, and what was wrong with a date."""
    typed = {name: request.query_params.get(name, "").strip()[:200]
             for name in (*FILTERS, "since", "until", "cursor", "limit")}
    query: dict[str, Any] = {k: typed[k] for k in FILTERS if typed[k]}
    asked = int(typed["limit"]) if typed["limit"].isdigit() else PAGE_SIZE
    query["limit"] = min(max(asked, 1), 200)
    error = None
    for name, clock in (("since", "00:00:00"), ("until", "23:59:59")):
        if typed[name]:
            try:
                query[name] = f"{date.fromisoformat(typed[name]).isoformat()}T{clock}+00:00"
            except ValueError:
                error = "Dates are written as 2026-12-31."
    if typed["cursor"].isdigit():
        query["cursor"] = int(typed["cursor"])
    return typed, query, error


async def _names(deps: WebDep, session: Session) -> dict[str, str]:
    """The organisation's people by id, to show who acted (staff may read the directory)."""
    found = await part(deps.upstream.call(
        session, "identity", "GET", f"/v1/organisations/{session.tenant_id}/users",
        params={"limit": 500}))
    users = (found.value or {}).get("users", [])
    return {u["id"]: u.get("display_name") or u.get("email") or u["id"] for u in users}


def _people(query: dict[str, Any], names: dict[str, str]) -> str | None:
    """Who acted and about whom, typed as a name (what an officer knows) made an id for
    audit; an id, or a service's name (``notify``), goes as it is. None, or why a name
    cannot be searched for."""
    ids: dict[str, list[str]] = {}
    for user_id, name in names.items():
        ids.setdefault(name.casefold(), []).append(user_id)
    for field in ("actor", "subject"):
        typed = query.get(field)
        found = ids.get(typed.casefold(), []) if typed and typed not in names else []
        if len(found) > 1:
            return (f"{len(found)} people are called {typed}: search by the id of the one "
                    f"you mean ({', '.join(sorted(found))}).")
        if found:
            query[field] = found[0]
    return None


@router.get("/compliance/audit")
async def audit_search(request: Request, deps: WebDep,
                       session: OfficerDep) -> Response:
    typed, query, error = _search(request)
    found: dict[str, Any] | None = None
    names = await _names(deps, session)
    error = error or _people(query, names)
    if error is None:
        try:
            found = await deps.upstream.call(session, "audit", "GET", "/v1/audit/records",
                                             params=query)
        except UpstreamProblem as problem:
            if problem.status in (401, 404):
                raise
            error = message(problem)
    more = None
    if found and found.get("next_cursor") is not None:
        more = {k: v for k, v in typed.items() if v and k != "cursor"} | {
            "cursor": found["next_cursor"]}
    return deps.pages.render(request, "compliance/audit.html", session, title="Audit trail",
                             typed=typed, found=found, names=names, more=more, error=error,
                             page_size=query.get("limit", PAGE_SIZE))


def _checkpoint(lines: list[Any]) -> dict[str, Any] | None:
    """The last checkpoint published, from its signed body."""
    bodies = [json.loads(line["body"]) for line in lines
              if isinstance(line, dict) and line.get("type") == "checkpoint"]
    return max(bodies, key=lambda body: body.get("size", 0)) if bodies else None


@router.get("/compliance/export")
async def export(request: Request, deps: WebDep, session: OfficerDep) -> Response:
    """The trail as a file for a SIEM or an auditor: JSON Lines (verifiable offline) or OCSF."""
    kind = "ocsf" if request.query_params.get("format") == "ocsf" else "jsonl"
    found = await deps.upstream.download(session, "audit", "/v1/audit/export",
                                         params={"format": kind})
    name = "audit.ocsf.jsonl" if kind == "ocsf" else "audit.jsonl"
    return Response(found.content, media_type="application/x-ndjson",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/compliance/verification")
async def verification(request: Request, deps: WebDep,
                       session: OfficerDep) -> Response:
    checked, published = await asyncio.gather(
        deps.upstream.call(session, "audit", "GET", "/v1/audit/verify"),
        part(deps.upstream.lines(session, "audit", "/v1/audit/checkpoints")))
    return deps.pages.render(request, "compliance/verification.html", session,
                             title="Is the trail intact?", checked=checked,
                             checkpoint=_checkpoint(published.value or []),
                             checkpoint_problem=published.problem)


@router.post("/compliance/purge")
async def purge(request: Request, deps: WebDep, session: OfficerDep, form: FormDep) -> Response:
    """Records older than the organisation's retention leave the trail, from the oldest end;
    the purge records itself and a signed checkpoint states the new lower bound."""
    async def again(status: int, error: str) -> Response:
        session.refused.append(error)
        return RedirectResponse("/compliance/verification", status_code=303)

    def purged(answer: dict[str, Any]) -> str:
        if not answer["purged"]:
            return "Nothing is older than the retention period: nothing was purged."
        return (f"{answer['purged']} records older than the retention period left the trail; "
                f"it now starts at record {answer['lower_bound']} and still verifies.")

    write = deps.upstream.call(session, "audit", "POST", "/v1/audit/purges",
                               json={"reason": text(form, "reason", 500)})
    return await sent(session, write, done=purged, again=again,
                      back="/compliance/verification")


async def _erasure_page(request: Request, deps: WebDep, session: Session, *,
                       status: int = 200, error: str | None = None,
                       at: str | None = None, reason: str = "") -> Response:
    """The people who can be forgotten; ``at``, the one whose erasure was refused (said in
    their entry, opened, with the reason typed)."""
    found = await deps.upstream.call(session, "identity", "GET",
                                     f"/v1/organisations/{session.tenant_id}/users",
                                     params={"limit": 500})
    people = [u for u in found["users"] if u["status"] != "forgotten"]
    return deps.pages.render(request, "compliance/erasure.html", session, status=status,
                             title="Erasure requests", people=people, error=error, at=at,
                             reason=reason, roles=ROLES)


@router.get("/compliance/erasure")
async def erasure(request: Request, deps: WebDep, session: OfficerDep) -> Response:
    return await _erasure_page(request, deps, session)


@router.post("/compliance/erasure/{user_id}")
async def forget(request: Request, user_id: ItemId, deps: WebDep, session: OfficerDep,
                 form: FormDep) -> Response:
    """Forget a person: their key is destroyed, so every copy of what they wrote, in every
    stream and backup, becomes unreadable."""
    async def again(status: int, error: str) -> Response:
        return await _erasure_page(request, deps, session, status=status, error=error,
                                   at=user_id, reason=text(form, "reason", 500))

    async def erase() -> Any:
        answer = await deps.upstream.call(
            session, "identity", "POST", f"/v1/organisations/{session.tenant_id}/erasures",
            json={"subject_id": user_id, "reason": text(form, "reason", 500)})
        deps.store.drop_person(session.tenant_id, user_id)  # no session of theirs stays here
        return answer

    write = erase()
    return await sent(session, write, again=again, back="/compliance/erasure",
                      done="The erasure is under way: their key is destroyed, and what they "
                           "wrote becomes unreadable everywhere within moments.")
