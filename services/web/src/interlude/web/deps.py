"""The route dependencies of web's pages: who is signed in, and the checked form."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from starlette.datastructures import FormData

from interlude.web.badge import Badge
from interlude.web.kept import Kept
from interlude.web.render import Pages
from interlude.web.security import PRE_COOKIE, cookie_name, same_origin, token_matches
from interlude.web.sessions import Enrolments, Session, SessionStore
from interlude.web.settings import WebSettings
from interlude.web.upstream import Upstream


@dataclass
class Web:
    """Everything a page needs, built once by ``main.create_app``."""

    settings: WebSettings
    store: SessionStore
    upstream: Upstream
    pages: Pages
    enrolments: Enrolments
    badge: Badge
    # the dashboard's cohorts, per session, a few seconds (pages/cohorts.py)
    cohorts: Kept[Any] = field(default_factory=lambda: Kept(3.0))


class NeedSignIn(Exception):
    """The page is for signed-in people: off to the sign-in page, and back after."""


class NotForYou(Exception):
    """Signed in, but the page is for another role."""


class FormRefused(Exception):
    """A form without its token, or posted from another site."""


# every dependency here is async: FastAPI runs a plain function in a thread, and the session
# store is the event loop's alone
def web_of(request: Request) -> Web:
    found: Web = request.app.state.web
    return found


def session_of(request: Request, deps: Web) -> Session | None:
    return deps.store.get(request.cookies.get(cookie_name(request)))


async def web(request: Request) -> Web:
    return web_of(request)


WebDep = Annotated[Web, Depends(web)]


def _current(request: Request) -> Session | None:
    deps = web_of(request)
    session = session_of(request, deps)
    if session is not None and deps.pages.inbox and request.method == "GET":
        deps.badge.ask(session)  # the header's count, beside the page's own calls
    return session


# each takes the request itself rather than the one before it: a chain of dependencies costs
# FastAPI a solving step each, on every page
async def maybe_session(request: Request) -> Session | None:
    return _current(request)


MaybeSessionDep = Annotated[Session | None, Depends(maybe_session)]


async def signed_in(request: Request) -> Session:
    session = _current(request)
    if session is None:
        raise NeedSignIn()
    return session


SessionDep = Annotated[Session, Depends(signed_in)]


def role(*roles: str) -> Callable[[Request], Awaitable[Session]]:
    async def check(request: Request) -> Session:
        session = await signed_in(request)
        if not session.has(*roles):
            raise NotForYou()
        return session
    return check


CoachDep = Annotated[Session, Depends(role("coach"))]
CoacheeDep = Annotated[Session, Depends(role("coachee"))]
SponsorDep = Annotated[Session, Depends(role("sponsor"))]
AdminDep = Annotated[Session, Depends(role("org_admin"))]
OfficerDep = Annotated[Session, Depends(role("compliance_officer"))]


async def checked_form(request: Request, session: MaybeSessionDep) -> FormData:
    """Every POST takes its form through here: same origin, and the token this session (or,
    before signing in, this browser) was given."""
    if not same_origin(request):
        raise FormRefused()
    form = await request.form()
    expected = session.csrf if session is not None else request.cookies.get(PRE_COOKIE)
    if not token_matches(form, expected):
        raise FormRefused()
    return form


FormDep = Annotated[FormData, Depends(checked_form)]
ContractId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
ItemId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
