"""The addresses notify's notifications and e-mails link to, led to the pages that show them:
notify names where something happened (a thread, a check-in, a post) in its own words."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from interlude.web.deps import ContractId, ItemId, SessionDep

router = APIRouter(include_in_schema=False)


def _to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@router.get("/contracts/{contract_id}/thread")
async def thread(contract_id: ContractId, session: SessionDep) -> RedirectResponse:
    return _to(f"/contracts/{contract_id}/messages")


@router.get("/contracts/{contract_id}/check-ins/{checkin_id}")
async def check_in(contract_id: ContractId, checkin_id: ItemId,
                   session: SessionDep) -> RedirectResponse:
    return _to(f"/contracts/{contract_id}/check-ins" if session.has("coach") else "/home")


@router.get("/contracts/{contract_id}/sessions/{session_id}")
async def coaching_session(contract_id: ContractId, session_id: ItemId,
                           session: SessionDep) -> RedirectResponse:
    return _to(f"/contracts/{contract_id}/sessions")


@router.get("/community/spaces/{space_id}")
async def space(space_id: ItemId, session: SessionDep) -> RedirectResponse:
    return _to(f"/community/{space_id}")


@router.get("/community/spaces/{space_id}/posts/{post_id}")
async def post(space_id: ItemId, post_id: ItemId, session: SessionDep) -> RedirectResponse:
    return _to(f"/community/{space_id}/posts/{post_id}")


@router.get("/community/spaces/{space_id}/rehearsals/{rehearsal_id}")
async def rehearsal(space_id: ItemId, rehearsal_id: ItemId,
                    session: SessionDep) -> RedirectResponse:
    return _to(f"/community/{space_id}/rehearsals")


@router.get("/community/spaces/{space_id}/materials")
async def cohort_materials(space_id: ItemId, session: SessionDep) -> RedirectResponse:
    return _to(f"/community/{space_id}/materials")
