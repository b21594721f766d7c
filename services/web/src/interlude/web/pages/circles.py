"""Coaches' peer circles that find each other: a coach searches the organisation's findable
circles by a client challenge, a methodology or words, and asks to join one with a note; in a
circle's page its members admit or decline who asked (community decides who may)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from interlude.web.deps import CoachDep, FormDep, ItemId, SessionDep, WebDep
from interlude.web.pages.common import part, sent, status_of, text
from interlude.web.sessions import Session
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

router = APIRouter(include_in_schema=False)
SpaceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
SEARCH = ("challenge", "methodology", "q")


def _typed(values: Any) -> dict[str, str]:
    return {name: str(values.get(name) or "").strip()[:120] for name in SEARCH}


async def _search_page(request: Request, deps: WebDep, session: Session, typed: dict[str, str],
                       *, status: int = 200, error: str | None = None,
                       asked: dict[str, str] | None = None) -> Response:
    query = {k: v for k, v in typed.items() if v}
    found = await part(deps.upstream.call(session, "community", "GET", "/v1/community/circles",
                                          params=query))
    return deps.pages.render(request, "community/circles.html", session, status=status,
                             title="Find a peer circle", typed=typed, found=found, error=error,
                             asked=asked or {}, back=urlencode(query))


@router.get("/community/circles")
async def circles(request: Request, deps: WebDep, session: CoachDep) -> Response:
    return await _search_page(request, deps, session, _typed(request.query_params))


@router.post("/community/circles/{space_id}/join-requests")
async def ask(request: Request, space_id: SpaceId, deps: WebDep, session: CoachDep,
              form: FormDep) -> Response:
    typed = _typed(form)
    note = text(form, "note", 1000)
    back = f"/community/circles?{urlencode({k: v for k, v in typed.items() if v})}"
    try:
        await deps.upstream.call(session, "community", "POST",
                                 f"/v1/community/spaces/{space_id}/join-requests",
                                 json={"note": note or None})
    except UpstreamProblem as problem:
        return await _search_page(request, deps, session, typed, status=status_of(problem),
                                  error=message(problem), asked={space_id: note})
    session.flash.append("You asked to join. Its members see your note; when one of them "
                         "admits you, the circle appears on your Community page to join.")
    return RedirectResponse(back, status_code=303)


@router.post("/community/{space_id}/join-requests/{handle}/{answer}")
async def answer(request: Request, space_id: SpaceId, handle: ItemId, answer: str,
                 deps: WebDep, session: SessionDep, form: FormDep) -> Response:
    """A member admits (the coach is invited, and joins like anyone invited) or declines."""
    if answer not in ("admit", "decline"):
        raise UpstreamProblem(404, "not-found", "no such answer")
    back = f"/community/{space_id}"

    async def again(status: int, error: str) -> Response:
        session.refused.append(error)
        return RedirectResponse(back, status_code=303)

    write = deps.upstream.call(session, "community", "POST",
                               f"/v1/community/spaces/{space_id}/join-requests/{handle}/{answer}")
    return await sent(session, write, again=again, back=back,
                      done="Admitted: they are invited, and the circle is on their Community "
                           "page to join." if answer == "admit" else
                           "Declined: they are not in the circle.")


def about_circle(form: Any) -> dict[str, Any]:
    """What a new peer circle is about, from the form that opens it: comma-separated client
    challenges (at most ten), and whether coaches of the organisation may find it."""
    challenges = [c.strip()[:120] for c in text(form, "challenges", 2000).split(",")]
    return {"methodology": text(form, "methodology", 200),
            "challenges": list(dict.fromkeys(c for c in challenges if c))[:10],
            "context": text(form, "context", 1000), "findable": form.get("findable") == "yes"}
