"""A post of a space with its comments: commenting, tagging a peer, sharing it again; the
space's coach moderates it here as on the feed. A refused comment comes back on this page
with the reason and what was typed."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlude.web.deps import FormDep, ItemId, SessionDep, WebDep
from interlude.web.pages.common import key_of, new_key, sent, text
from interlude.web.pages.community import API, REACTIONS, SpaceId
from interlude.web.sessions import Session

router = APIRouter(include_in_schema=False)


async def post_page(request: Request, deps: WebDep, session: Session, space_id: str,
                    post_id: str, *, status: int = 200, error: str | None = None,
                    typed: str = "", commenting: bool = True) -> Response:
    """The post; ``error``, why the form sent was refused (``commenting``: the comment's,
    else a tag's or a share's, which is not said as the comment form's)."""
    found, space = await asyncio.gather(
        deps.upstream.call(session, "community", "GET", f"{API}/{space_id}/posts/{post_id}"),
        deps.upstream.call(session, "community", "GET", f"{API}/{space_id}"))
    peers = [m for m in space["members"] if not m["you"] and m["handle"]
             and m["status"] == "joined"]
    return deps.pages.render(request, "community/post.html", session, status=status,
                             title="A post", space_id=space_id, post=found,
                             reactions=REACTIONS, peers=peers, error=error, typed=typed,
                             coach_here=space["you"]["role"] == "coach", key=new_key(),
                             commenting=commenting)


@router.get("/community/{space_id}/posts/{post_id}")
async def thread(request: Request, space_id: SpaceId, post_id: ItemId, deps: WebDep,
                 session: SessionDep) -> Response:
    return await post_page(request, deps, session, space_id, post_id)


async def _on_post(request: Request, deps: WebDep, session: Session, space_id: str,
                   post_id: str, path: str, body: dict[str, str] | None, done: str,
                   typed: str = "", key: str | None = None) -> Response:
    async def again(status: int, error: str) -> Response:
        return await post_page(request, deps, session, space_id, post_id, status=status,
                               error=error, typed=typed, commenting=path == "/comments")

    if body is not None and "body" in body and not body["body"]:
        return await again(400, "Please write your comment first.")
    write = deps.upstream.call(session, "community", "POST",
                               f"{API}/{space_id}/posts/{post_id}{path}", json=body,
                               idempotency_key=key)
    return await sent(session, write, done=done, again=again,
                      back=f"/community/{space_id}/posts/{post_id}")


@router.post("/community/{space_id}/posts/{post_id}/comments")
async def comment(request: Request, space_id: SpaceId, post_id: ItemId, deps: WebDep,
                  session: SessionDep, form: FormDep) -> Response:
    said = text(form, "body")
    return await _on_post(request, deps, session, space_id, post_id, "/comments",
                          {"body": said}, "Your comment is added.", typed=said,
                          key=key_of(form))


@router.post("/community/{space_id}/posts/{post_id}/gestures")
async def gesture(request: Request, space_id: SpaceId, post_id: ItemId, deps: WebDep,
                  session: SessionDep, form: FormDep) -> Response:
    """Tag a peer in a post, or share a post to the space again (where consents allow)."""
    if text(form, "action", 10) == "share":
        return await _on_post(request, deps, session, space_id, post_id, "/shares", None,
                              "Shared: the space sees it again.")
    return await _on_post(request, deps, session, space_id, post_id, "/tags",
                          {"handle": text(form, "handle", 64)}, "Tagged.")
