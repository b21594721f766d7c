"""What several pages share: a part of a page that may fail alone, form fields, and the key that
makes a form sent twice count once."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from interlude.web.deps import Web
from interlude.web.sessions import Session
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

T = TypeVar("T")
Again = Callable[[int, str], Awaitable[Response]]  # the form's page again: status, message


@dataclass
class Part(Generic[T]):
    """A part of a page: its data, or why it cannot be shown (the rest of the page still is)."""

    value: T | None = None
    problem: str | None = None
    slug: str | None = None


async def part(call: Awaitable[T]) -> Part[T]:
    try:
        return Part(value=await call)
    except UpstreamProblem as problem:
        if problem.status in (401, 404) and problem.slug not in {"channel-not-agreed"}:
            raise  # not signed in any more, or not theirs: the whole page says so
        return Part(problem=message(problem), slug=problem.slug)


def new_key() -> str:
    """The idempotency key a form carries: sent twice (a double click, a reload), it counts once."""
    return secrets.token_urlsafe(18)


def text(form: FormData, name: str, limit: int = 20_000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def key_of(form: FormData) -> str | None:
    key = text(form, "key", 64)
    return key or None


def status_of(problem: UpstreamProblem) -> int:
    """The status of a page that shows a refused form again."""
    return problem.status if problem.status in (403, 404, 409, 429, 503) else 400


async def sent(session: Session, write: Awaitable[Any], *, done: str | Callable[[Any], str],
               back: str | Callable[[Any], str], again: Again) -> Response:
    """A form's write: done, the message left for the next page and the way back (303);
    refused, the form's page again with the reason (a 404 stays the 404 page)."""
    try:
        answer = await write
    except UpstreamProblem as problem:
        if problem.status == 404:
            raise
        return await again(status_of(problem), message(problem))
    if note := (done(answer) if callable(done) else done):
        session.flash.append(note)
    return RedirectResponse(back(answer) if callable(back) else back, status_code=303)


async def named(deps: Web, session: Session, role: str) -> list[dict[str, Any]]:
    """The organisation's active people with ``role``, by id and name (identity's read)."""
    found = await deps.upstream.call(session, "identity", "GET",
                                     f"/v1/organisations/{session.tenant_id}/people",
                                     params={"role": role})
    return [p for p in found["people"] if p["id"] != session.user_id]
