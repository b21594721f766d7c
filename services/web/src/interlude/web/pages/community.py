"""The cohort: the spaces a person is in, joining under a pseudonym, the feed, posting,
commenting and reacting; a coach opens a space and invites coachees. Peers appear as
community names them for this reader (a pseudonym in a pseudonymous space), never otherwise."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from interlude.web.dashboard import every_line
from interlude.web.deps import FormDep, ItemId, SessionDep, WebDep
from interlude.web.pages.circles import about_circle
from interlude.web.pages.common import key_of, named, new_key, part, sent, status_of, text
from interlude.web.sessions import Session
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
SpaceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
REACTIONS = (("like", "Like"), ("support", "Support"), ("insightful", "Insightful"),
             ("celebrate", "Celebrate"))
KINDS = (("reflection", "A reflection"), ("small_win", "A small win"),
         ("experiment", "An experiment"), ("question", "A question"))
API = "/v1/community/spaces"
NOTHING_TYPED = {"name": "", "description": "", "kind": "cohort", "pseudonymous": True,
                 "methodology": "", "challenges": "", "context": "", "findable": False}


async def _spaces(deps: WebDep, session: Session) -> list[dict[str, Any]]:
    found: dict[str, Any] = await deps.upstream.call(session, "community", "GET", API)
    spaces: list[dict[str, Any]] = found["spaces"]
    return spaces


@router.get("/community")
async def community(request: Request, deps: WebDep, session: SessionDep) -> Response:
    spaces = await part(_spaces(deps, session))
    return deps.pages.render(request, "community/spaces.html", session, title="Community",
                             spaces=spaces, error=None, typed=NOTHING_TYPED)


@router.post("/community")
async def open_space(request: Request, deps: WebDep, session: SessionDep,
                     form: FormDep) -> Response:
    circle = form.get("kind") == "peer_circle"
    body = {"name": text(form, "name", 120), "description": text(form, "description", 2000),
            "pseudonymous": form.get("pseudonymous") == "yes",
            "kind": "peer_circle" if circle else "cohort"}
    if circle:
        body |= about_circle(form)
    try:
        made = await deps.upstream.call(session, "community", "POST", API, json=body)
    except UpstreamProblem as problem:
        if problem.status == 404:
            raise
        # every field of the form, a cohort's too (it sends none of a circle's)
        typed = NOTHING_TYPED | body | {"challenges": text(form, "challenges", 2000)}
        return deps.pages.render(request, "community/spaces.html", session,
                                 status=status_of(problem), title="Community",
                                 spaces=await part(_spaces(deps, session)),
                                 error=message(problem), typed=typed)
    session.flash.append("Your peer circle is open: invite fellow coaches to it." if circle
                         else "Your space is open: invite your coachees to it.")
    return RedirectResponse(f"/community/{made['id']}", status_code=303)


async def space_page(request: Request, deps: WebDep, session: Session, space_id: str, *,
                     status: int = 200, error: str | None = None,
                     typed: dict[str, str] | None = None, at: str | None = None) -> Response:
    """The space; ``error``, why the form sent was refused, said at the top and beside that
    form: ``at`` names it (a post's id, ``reveal-<handle>``, ``quiet-<handle>``, ``your-name``,
    ``slow-mode``, ``invite``); none is the form that posts."""
    mine = next((s for s in await _spaces(deps, session) if s["space_id"] == space_id), None)
    if mine is None:
        raise UpstreamProblem(404, "not-found", "no such space")
    path = f"{API}/{space_id}"
    if mine["status"] != "joined":
        suggested = await part(deps.upstream.call(session, "community", "GET",
                                                  f"{path}/pseudonym-suggestion"))
        return deps.pages.render(request, "community/join.html", session, status=status,
                                 title=mine["name"], space=mine, error=error,
                                 suggestion=(suggested.value or {}).get("pseudonym"))
    space, feed, _ = await asyncio.gather(
        deps.upstream.call(session, "community", "GET", path),
        deps.upstream.call(session, "community", "GET", f"{path}/feed"),
        _mark_read(deps, session, path))
    coach_here = mine["role"] == "coach"
    invitable = await _invitable(deps, session, space) if coach_here else []
    quiet = await part(deps.upstream.call(session, "community", "GET",
                                          f"{path}/quiet-members")) \
        if coach_here and space["kind"] == "cohort" else None
    asking = await part(deps.upstream.call(session, "community", "GET",
                                           f"{path}/join-requests")) \
        if space["kind"] == "peer_circle" else None
    return deps.pages.render(request, "community/space.html", session, status=status,
                             title=space["name"], space=space, feed=feed, error=error,
                             reactions=REACTIONS, kinds=KINDS, invitable=invitable,
                             asking=asking, quiet=quiet, typed=typed or {}, key=new_key(),
                             at=at)


async def _mark_read(deps: WebDep, session: Session, path: str) -> None:
    """The member has read the feed (so the coach sees who reads quietly); the page is shown
    whether or not community took note."""
    try:
        await deps.upstream.call(session, "community", "POST", f"{path}/read")
    except UpstreamProblem as problem:
        log.warning("marking the feed read failed: %s", problem.slug)


async def _invitable(deps: WebDep, session: Session,
                     space: dict[str, Any]) -> list[dict[str, str]]:
    """Who the space's coach may invite (id and name): fellow coaches to a peer circle (from
    identity; community answers whether they are in already), their own coachees to a cohort
    (from the dashboard: their contracts decide)."""
    if space.get("kind") == "peer_circle":
        return (await part(named(deps, session, "coach"))).value or []
    board = await part(every_line(deps, session))
    return [{"id": r["coachee_id"], "name": r["coachee_name"]} for r in board.value or []]


@router.get("/community/{space_id}")
async def space(request: Request, space_id: SpaceId, deps: WebDep,
                session: SessionDep) -> Response:
    return await space_page(request, deps, session, space_id)


async def _act(request: Request, deps: WebDep, session: Session, space_id: str, method: str,
               path: str, body: dict[str, Any] | None, done: str,
               back: str | None = None, *, at: str) -> Response:
    """One gesture in a space; back to where it was made, or the space with the reason,
    beside the form it was made with (``at``)."""
    async def again(status: int, error: str) -> Response:
        return await space_page(request, deps, session, space_id, status=status, error=error,
                                at=at)

    write = deps.upstream.call(session, "community", method, f"{API}/{space_id}{path}",
                               json=body)
    return await sent(session, write, done=done, again=again,
                      back=back or f"/community/{space_id}")


@router.post("/community/{space_id}/join")
async def join(request: Request, space_id: SpaceId, deps: WebDep, session: SessionDep,
               form: FormDep) -> Response:
    pseudonym = text(form, "pseudonym", 40)
    return await _act(request, deps, session, space_id, "POST", "/join",
                      {"pseudonym": pseudonym} if pseudonym else {}, "Welcome to the space.",
                      at="join")


@router.post("/community/{space_id}/invitations")
async def invite(request: Request, space_id: SpaceId, deps: WebDep, session: SessionDep,
                 form: FormDep) -> Response:
    return await _act(request, deps, session, space_id, "POST", "/invitations",
                      {"user_id": text(form, "user_id", 64)},
                      "Invited: they see the space on their Community page.", at="invite")


@router.post("/community/{space_id}/posts")
async def post(request: Request, space_id: SpaceId, deps: WebDep, session: SessionDep,
               form: FormDep) -> Response:
    kind = text(form, "kind", 20)
    body = {"body": text(form, "body"), "kind": kind if kind in dict(KINDS) else "reflection"}

    async def again(status: int, error: str) -> Response:  # what they wrote stays with them
        return await space_page(request, deps, session, space_id, status=status, error=error,
                                typed=body)

    if not body["body"]:
        return await again(400, "Please write what you would like to share first.")
    write = deps.upstream.call(session, "community", "POST", f"{API}/{space_id}/posts",
                               json=body, idempotency_key=key_of(form))  # sent twice: once
    return await sent(session, write, done="Your post is in the space.", again=again,
                      back=f"/community/{space_id}")


@router.post("/community/{space_id}/posts/{post_id}/reactions/{reaction}")
async def react(request: Request, space_id: SpaceId, post_id: ItemId, reaction: str,
                deps: WebDep, session: SessionDep, form: FormDep) -> Response:
    if reaction not in dict(REACTIONS):
        raise UpstreamProblem(404, "not-found", "no such reaction")
    method = "DELETE" if text(form, "action", 10) == "remove" else "PUT"
    back = text(form, "back", 200)
    return await _act(request, deps, session, space_id, method,
                      f"/posts/{post_id}/reactions/{reaction}", None, "",
                      back if back.startswith(f"/community/{space_id}") else None, at=post_id)


@router.post("/community/{space_id}/posts/{post_id}/pin")
async def pin(request: Request, space_id: SpaceId, post_id: ItemId, deps: WebDep,
              session: SessionDep, form: FormDep) -> Response:
    if text(form, "action", 10) == "unpin":
        return await _act(request, deps, session, space_id, "DELETE", f"/posts/{post_id}/pin",
                          None, "The post is no longer pinned.", at=post_id)
    note = text(form, "note", 1000)
    return await _act(request, deps, session, space_id, "PUT", f"/posts/{post_id}/pin",
                      {"note": note or None}, "Pinned as a key insight.", at=post_id)


@router.post("/community/{space_id}/posts/{post_id}/moderation")
async def moderate(request: Request, space_id: SpaceId, post_id: ItemId, deps: WebDep,
                   session: SessionDep, form: FormDep) -> Response:
    """The coach hides a post from the space, or restores it; a member reports one."""
    action = text(form, "action", 10)
    if action == "report":
        return await _act(request, deps, session, space_id, "POST",
                          f"/posts/{post_id}/reports", {"reason": text(form, "reason", 2000)},
                          "Thank you: the coach of the space sees your report.", at=post_id)
    restore = action == "restore"
    return await _act(request, deps, session, space_id, "POST",
                      f"/posts/{post_id}/{'restore' if restore else 'hide'}", None,
                      "The post is back in the space." if restore else "The post is hidden.",
                      at=post_id)


@router.post("/community/{space_id}/members/{handle}/reveal")
async def reveal(request: Request, space_id: SpaceId, handle: ItemId, deps: WebDep,
                 session: SessionDep, form: FormDep) -> Response:
    return await _act(request, deps, session, space_id, "POST", f"/members/{handle}/reveal",
                      {"reason": text(form, "reason", 2000)},
                      "Revealed; the member is told, with your reason, and the reveal is "
                      "recorded in the audit trail.", at=f"reveal-{handle}")


@router.post("/community/{space_id}/quiet-members/{handle}/invitation")
async def invite_quiet(request: Request, space_id: SpaceId, handle: ItemId, deps: WebDep,
                       session: SessionDep, form: FormDep) -> Response:
    return await _act(request, deps, session, space_id, "POST",
                      f"/quiet-members/{handle}/invitation", None,
                      "Your invitation is on its way: they are told gently, as a "
                      "notification.", at=f"quiet-{handle}")


@router.post("/community/{space_id}/slow-mode")
async def slow_mode(request: Request, space_id: SpaceId, deps: WebDep, session: SessionDep,
                    form: FormDep) -> Response:
    minutes = text(form, "minutes", 4)
    seconds = int(minutes) * 60 if minutes.isdigit() else 0
    return await _act(request, deps, session, space_id, "PUT", "/slow-mode",
                      {"seconds": min(seconds, 86_400)},
                      "Slow mode is off." if not seconds else "Slow mode is on.",
                      at="slow-mode")
