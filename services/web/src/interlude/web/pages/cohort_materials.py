"""Materials shared with a cohort: its coach shares a reading, an exercise, a worksheet or a
link with a note on why now, and sees which members opened and did each; a member opens it,
marks it done, and may reflect on it in a post to the space. A link is shown as a link, never
fetched by web."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlude.web.deps import FormDep, ItemId, SessionDep, WebDep
from interlude.web.pages.common import key_of, new_key, part, sent, status_of, text
from interlude.web.pages.community import API, SpaceId
from interlude.web.pages.materials import KINDS, NOTHING_TYPED, material_body, typed_material
from interlude.web.sessions import Session
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

router = APIRouter(include_in_schema=False)


async def _page(request: Request, deps: WebDep, session: Session, space_id: str, *,
                status: int = 200, error: str | None = None,
                typed: dict[str, str] | None = None) -> Response:
    space = await deps.upstream.call(session, "community", "GET", f"{API}/{space_id}")
    found = await part(deps.upstream.call(session, "community", "GET",
                                          f"{API}/{space_id}/materials"))
    materials: list[dict[str, Any]] = (found.value or {}).get("materials", [])
    return deps.pages.render(
        request, "community/materials.html", session, status=status,
        title=f"Materials: {space['name']}", space=space, materials=materials,
        problem=found.problem, kinds=KINDS, error=error, typed=NOTHING_TYPED | (typed or {}),
        key=new_key())


@router.get("/community/{space_id}/materials")
async def materials(request: Request, space_id: SpaceId, deps: WebDep,
                    session: SessionDep) -> Response:
    return await _page(request, deps, session, space_id)


@router.post("/community/{space_id}/materials")
async def share(request: Request, space_id: SpaceId, deps: WebDep, session: SessionDep,
                form: FormDep) -> Response:
    typed, wrong = typed_material(form)

    async def again(status: int, error: str) -> Response:
        return await _page(request, deps, session, space_id, status=status, error=error,
                           typed=typed)

    if wrong is not None:
        return await again(400, wrong)
    body = material_body(typed)
    deps.cohorts.forget(session.id)  # the dashboard shows it at once
    write = deps.upstream.call(session, "community", "POST", f"{API}/{space_id}/materials",
                               json=body, idempotency_key=key_of(form))
    return await sent(session, write, again=again, back=f"/community/{space_id}/materials",
                      done="Shared: the members are told, and see it with your note.")


@router.post("/community/{space_id}/materials/{material_id}/opened")
async def opened(request: Request, space_id: SpaceId, material_id: ItemId, deps: WebDep,
                 session: SessionDep, form: FormDep) -> Response:
    async def again(status: int, error: str) -> Response:
        return await _page(request, deps, session, space_id, status=status, error=error)

    write = deps.upstream.call(session, "community", "POST",
                               f"{API}/{space_id}/materials/{material_id}/opened")
    return await sent(session, write, again=again, back=f"/community/{space_id}/materials",
                      done="Noted: you opened it. Your coach sees that you did, never "
                           "your peers.")


@router.post("/community/{space_id}/materials/{material_id}/done")
async def done(request: Request, space_id: SpaceId, material_id: ItemId, deps: WebDep,
               session: SessionDep, form: FormDep) -> Response:
    """Done; with a reflection, that is first posted to the space (under the member's
    pseudonym where the space has them), headed with the material's title."""
    reflection, title = text(form, "reflection"), text(form, "title", 300)

    async def again(status: int, error: str) -> Response:
        return await _page(request, deps, session, space_id, status=status, error=error)

    if reflection:
        body = f"On “{title}”:\n\n{reflection}" if title else reflection
        try:
            await deps.upstream.call(session, "community", "POST", f"{API}/{space_id}/posts",
                                     json={"kind": "reflection", "body": body},
                                     idempotency_key=key_of(form))
        except UpstreamProblem as problem:
            if problem.status == 404:
                raise
            return await again(status_of(problem),
                               f"Your reflection was not posted: {message(problem)}")
    write = deps.upstream.call(session, "community", "POST",
                               f"{API}/{space_id}/materials/{material_id}/done")
    return await sent(session, write, again=again, back=f"/community/{space_id}/materials",
                      done="Marked done." + (" Your reflection is in the space."
                                             if reflection else ""))
