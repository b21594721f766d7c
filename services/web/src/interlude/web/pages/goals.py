"""Goals and experiments of a contract, for its coach and its coachee: set a goal, note
progress, close it; plan an experiment (a belief to test, a behaviour to try) and report it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlude.web.deps import ContractId, FormDep, ItemId, SessionDep, WebDep
from interlude.web.pages.common import key_of, new_key, sent, text
from interlude.web.sessions import Session

router = APIRouter(include_in_schema=False)
PAGE = "/contracts/{contract_id}/goals"


async def _page(request: Request, deps: WebDep, session: Session, contract_id: str, *,
                status: int = 200, error: str | None = None,
                typed: dict[str, str] | None = None) -> Response:
    """The page; after a refusal, ``typed`` holds what was written, by the field's id."""
    path = f"/v1/contracts/{contract_id}"
    contract = await deps.upstream.call(session, "engagement", "GET", path)
    found = await deps.upstream.call(session, "engagement", "GET", f"{path}/goals")
    titles = {g["id"]: g["title"] for g in found["goals"]}
    return deps.pages.render(request, "goals.html", session, status=status,
                             title="Goals and experiments", contract=contract, found=found,
                             titles=titles, error=error, key=new_key(), typed=typed or {})


@router.get(PAGE)
async def goals(request: Request, contract_id: ContractId, deps: WebDep,
                session: SessionDep) -> Response:
    return await _page(request, deps, session, contract_id)


async def _write(request: Request, deps: WebDep, session: Session, contract_id: str,
                 path: str, body: dict[str, Any], done: str, key: str | None = None,
                 typed: dict[str, str] | None = None) -> Response:
    """One write; back to the page with ``done``, or the page again with the reason and
    what was typed."""
    async def again(status: int, error: str) -> Response:
        return await _page(request, deps, session, contract_id, status=status, error=error,
                           typed=typed)

    write = deps.upstream.call(session, "engagement", "POST",
                               f"/v1/contracts/{contract_id}{path}", json=body,
                               idempotency_key=key)
    return await sent(session, write, done=done, again=again,
                      back=PAGE.format(contract_id=contract_id))


@router.post(PAGE)
async def set_goal(request: Request, contract_id: ContractId, deps: WebDep,
                   session: SessionDep, form: FormDep) -> Response:
    title = text(form, "title", 500)
    return await _write(request, deps, session, contract_id, "/goals", {"title": title},
                        "The goal is set.", key_of(form), typed={"title": title})


@router.post(PAGE + "/{goal_id}/progress")
async def progress(request: Request, contract_id: ContractId, goal_id: ItemId, deps: WebDep,
                   session: SessionDep, form: FormDep) -> Response:
    raw = text(form, "progress", 3)
    body: dict[str, Any] = {"note": text(form, "note")}
    if raw.isdigit():
        body["progress"] = int(raw)
    return await _write(request, deps, session, contract_id, f"/goals/{goal_id}/progress",
                        body, "Your note is added to the goal.",
                        typed={f"note-{goal_id}": body["note"], f"progress-{goal_id}": raw})


@router.post(PAGE + "/{goal_id}/closing")
async def close(request: Request, contract_id: ContractId, goal_id: ItemId, deps: WebDep,
                session: SessionDep, form: FormDep) -> Response:
    outcome = "achieved" if text(form, "outcome", 10) == "achieved" else "dropped"
    return await _write(request, deps, session, contract_id, f"/goals/{goal_id}/closing",
                        {"outcome": outcome}, "Well done: the goal is achieved."
                        if outcome == "achieved" else "The goal is set aside.")


@router.post("/contracts/{contract_id}/experiments")
async def plan(request: Request, contract_id: ContractId, deps: WebDep, session: SessionDep,
               form: FormDep) -> Response:
    body = {"belief": text(form, "belief"), "behaviour": text(form, "behaviour"),
            "goal_id": text(form, "goal_id", 64) or None}
    return await _write(request, deps, session, contract_id, "/experiments", body,
                        "The experiment is planned: try it, then tell how it went.",
                        key_of(form), typed={k: v or "" for k, v in body.items()})


@router.post("/contracts/{contract_id}/experiments/{experiment_id}/report")
async def report(request: Request, contract_id: ContractId, experiment_id: ItemId,
                 deps: WebDep, session: SessionDep, form: FormDep) -> Response:
    body = {"result": text(form, "result"), "learning": text(form, "learning")}
    return await _write(request, deps, session, contract_id,
                        f"/experiments/{experiment_id}/report", body,
                        "Thank you: what you learned is kept with the experiment.",
                        typed={f"{k}-{experiment_id}": v for k, v in body.items()})
