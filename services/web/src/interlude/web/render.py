"""Pages from Jinja2 templates, every value escaped; each page gets the person, their
navigation, the form token and the messages left for them by the last request."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from interlude.web.security import HEADERS, PRE_COOKIE, pre_token, set_cookie
from interlude.web.sessions import Session
from interlude.web.wording import day


def moment(value: str | datetime | None) -> str:
    """A date and time as a person reads it: ``Tue 3 March 2026, 14:30 UTC``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _moment(value)  # the services' answers: the same instants, page after page
    at = value.astimezone(UTC)
    return f"{at:%a} {at.day} {at:%B %Y}, {at:%H:%M} UTC"


@functools.lru_cache(maxsize=4096)
def _moment(value: str) -> str:
    return moment(datetime.fromisoformat(value))


def navigation(session: Session | None) -> list[tuple[str, str]]:
    if session is None:
        return [("/", "Start"), ("/sign-in", "Sign in")]
    links = [("/", "Start")]
    if session.has("coachee"):
        links.append(("/home", "My coaching"))
    if session.has("coach"):
        links.append(("/dashboard", "My coachees"))
    if session.has("coach", "coachee"):
        links.append(("/community", "Community"))
    if session.has("sponsor"):
        links.append(("/sponsor", "Programme figures"))
    if session.has("org_admin"):
        links += [("/admin/people", "People"), ("/admin/policy", "Security policy")]
    if session.has("compliance_officer"):
        links.append(("/compliance/audit", "Audit trail"))
    return links


def environment() -> Environment:
    env = Environment(loader=PackageLoader("interlude.web", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(day=day, moment=moment)
    return env


class Pages:
    def __init__(self, env: Environment | None = None) -> None:
        self.env = env or environment()

    def render(self, request: Request, template: str, session: Session | None, *,
               status: int = 200, title: str = "", **context: Any) -> HTMLResponse:
        new_pre = False
        if session is not None:
            csrf, flash = session.csrf, session.take_flash()
        else:
            (csrf, new_pre), flash = pre_token(request), []
        html = self.env.get_template(template).render(
            me=session, csrf=csrf, flash=flash, nav=navigation(session), title=title,
            path=request.url.path, **context)
        # here too, not only in the middleware: the page of an unexpected error is sent from
        # outside every middleware
        response = HTMLResponse(html, status_code=status, headers=HEADERS)
        response.headers["cache-control"] = "no-store"
        if new_pre:
            set_cookie(response, request, PRE_COOKIE, csrf)
        return response
