"""Materials between sessions: the coach shares a reading, an exercise, a worksheet or a link
with a note on why now; the coachee opens it and marks it done, with a reflection if they like;
the coach sees which were opened and done. A link is shown as a link, never fetched by web."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlude.web.dashboard import line as dashboard_line
from interlude.web.deps import CoachDep, CoacheeDep, ContractId, FormDep, ItemId, SessionDep, WebDep
from interlude.web.pages.common import key_of, new_key, part, sent, text
from interlude.web.sessions import Session

router = APIRouter(include_in_schema=False)
KINDS = (("reading", "A reading"), ("exercise", "An exercise"), ("worksheet", "A worksheet"),
         ("link", "A link"))
NOTHING_TYPED = {"kind": "reading", "title": "", "url": "", "note": ""}


def typed_material(form: Any) -> tuple[dict[str, str], str | None]:
    """What the share form holds, and what is wrong with it (None when nothing): the same
    form shares with one coachee (a contract) or with a cohort (a space)."""
    kind = text(form, "kind", 20)
    typed = {"kind": kind if kind in dict(KINDS) else "reading",
             "title": text(form, "title", 300), "url": text(form, "url", 2000),
             "note": text(form, "note", 2000)}
    if not typed["title"]:
        return typed, "Please give the material a title."
    if typed["url"] and not typed["url"].startswith(("https://", "http://")):
        return typed, "A link starts with https:// (or http://)."
    return typed, None


def material_body(typed: dict[str, str]) -> dict[str, str | None]:
    """The API's body for a share form that passed :func:`typed_material`."""
    return {**typed, "url": typed["url"] or None, "note": typed["note"] or None}


async def _page(request: Request, deps: WebDep, session: Session, contract_id: str, *,
                status: int = 200, error: str | None = None,
                typed: dict[str, str] | None = None, done_typed: dict[str, str] | None = None
                ) -> Response:
    path = f"/v1/contracts/{contract_id}"
    contract = await deps.upstream.call(session, "engagement", "GET", path)
    found = await part(deps.upstream.call(session, "engagement", "GET", f"{path}/materials"))
    name = None
    if contract["your_part"] == "coach":
        name = (await dashboard_line(deps, session, contract_id) or {}).get("coachee_name")
    materials: list[dict[str, Any]] = (found.value or {}).get("materials", [])
    return deps.pages.render(
        request, "materials.html", session, status=status, title="Materials",
        contract=contract, materials=materials, problem=found.problem, name=name,
        kinds=KINDS, error=error, typed=NOTHING_TYPED | (typed or {}),
        done_typed=done_typed or {}, key=new_key())


@router.get("/contracts/{contract_id}/materials")
async def materials(request: Request, contract_id: ContractId, deps: WebDep,
                    session: SessionDep) -> Response:
    return await _page(request, deps, session, contract_id)


@router.post("/contracts/{contract_id}/materials")
async def share(request: Request, contract_id: ContractId, deps: WebDep, session: CoachDep,
                form: FormDep) -> Response:
    typed, wrong = typed_material(form)

    async def again(status: int, error: str) -> Response:
        return await _page(request, deps, session, contract_id, status=status, error=error,
                           typed=typed)

    if wrong is not None:
        return await again(400, wrong)
    body = material_body(typed)
    write = deps.upstream.call(session, "engagement", "POST",
                               f"/v1/contracts/{contract_id}/materials", json=body,
                               idempotency_key=key_of(form))
    return await sent(session, write, again=again, back=f"/contracts/{contract_id}/materials",
                      done="Shared: your coachee sees it with your note.")


@router.post("/contracts/{contract_id}/materials/{material_id}/opened")
async def opened(request: Request, contract_id: ContractId, material_id: ItemId, deps: WebDep,
                 session: CoacheeDep, form: FormDep) -> Response:
    async def again(status: int, error: str) -> Response:
        return await _page(request, deps, session, contract_id, status=status, error=error)

    write = deps.upstream.call(session, "engagement", "POST",
                               f"/v1/contracts/{contract_id}/materials/{material_id}/opened")
    return await sent(session, write, again=again, back=f"/contracts/{contract_id}/materials",
                      done="Noted: you opened it. Your coach sees that you did.")


@router.post("/contracts/{contract_id}/materials/{material_id}/done")
async def done(request: Request, contract_id: ContractId, material_id: ItemId, deps: WebDep,
               session: CoacheeDep, form: FormDep) -> Response:
    reflection = text(form, "reflection")

    async def again(status: int, error: str) -> Response:
        return await _page(request, deps, session, contract_id, status=status, error=error,
                           done_typed={material_id: reflection})

    write = deps.upstream.call(session, "engagement", "POST",
                               f"/v1/contracts/{contract_id}/materials/{material_id}/done",
                               json={"reflection": reflection or None})
    return await sent(session, write, again=again, back=f"/contracts/{contract_id}/materials",
                      done="Marked done." + (" Your coach reads your reflection."
                                             if reflection else ""))


async def waiting(deps: WebDep, session: Session, contract_id: str) -> list[dict[str, Any]]:
    """The materials a coachee has not marked done yet (their home shows them)."""
    found = await deps.upstream.call(session, "engagement", "GET",
                                     f"/v1/contracts/{contract_id}/materials")
    return [m for m in found["materials"] if not m["done_at"]]


