"""Pages from Jinja2 templates, every value escaped; each page gets the person, their
navigation, the form token and the messages left for them by the last request."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import Receive, Scope, Send

from interlude.web.badge import unread_of
from interlude.web.security import HEADERS, PRE_COOKIE, pre_token, set_cookie
from interlude.web.sessions import Session
from interlude.web.upstream import WEBHOOKS_OFF
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


def navigation(session: Session | None, notify: bool = False) -> list[tuple[str, str]]:
    """The menu: what the person's roles may use, less what the organisation switched off
    (``notify``: notify is part of this site, so its webhooks have a page)."""
    if session is None:
        return [("/", "Start"), ("/sign-in", "Sign in")]
    links = [("/", "Start")]
    if session.has("coachee"):
        links.append(("/home", "My coaching"))
    if session.has("coach"):
        links.append(("/dashboard", "My coachees"))
    if session.has("coach", "coachee") and "community.enabled" not in session.switched_off:
        links.append(("/community", "Community"))
    if session.has("sponsor") and "sponsor_reports.enabled" not in session.switched_off:
        links.append(("/sponsor", "Programme figures"))
    if session.has("org_admin"):
        links += [("/admin/people", "People"), ("/admin/policy", "Security policy"),
                  ("/admin/sign-on", "Sign-on")]
        if notify and WEBHOOKS_OFF not in session.switched_off:
            links.append(("/admin/webhooks", "Webhooks"))
    if session.has("compliance_officer"):
        links += [("/compliance/audit", "Audit trail"), ("/compliance/exports", "Data exports")]
    links.append(("/my-data", "My data"))
    return links


def who(label: dict[str, Any]) -> str:
    """A member as this reader sees them: the pseudonym, and beside it the name when the
    member stepped out of it to this reader (community decides; web never looks names up)."""
    name = str(label.get("name") or "")
    shown = label.get("stepped_out_name")
    return f"{name} ({shown})" if shown and not label.get("you") else name


def environment() -> Environment:
    env = Environment(loader=PackageLoader("interlude.web", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(day=day, moment=moment, who=who)
    return env


class Page(HTMLResponse):
    """A page whose header shows the unread count asked for when the request arrived: made
    when it is sent, after that call (started beside the page's own) has answered."""

    def __init__(self, html: Callable[[int | None], str], session: Session | None,
                 status: int) -> None:
        call = session.unread_call if session is not None else None
        self.later = html if call is not None and not call.done() else None
        self.session = session
        first = "" if self.later else html(session.unread if session is not None else None)
        super().__init__(first, status_code=status, headers=HEADERS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.later is not None and self.session is not None:
            self.body = self.render(self.later(await unread_of(self.session)))
            self.raw_headers[:] = [(k, v) for k, v in self.raw_headers
                                   if k != b"content-length"]
            self.raw_headers.append((b"content-length", str(len(self.body)).encode()))
        await super().__call__(scope, receive, send)


class Pages:
    def __init__(self, env: Environment | None = None, *, inbox: bool = False) -> None:
        self.env = env or environment()
        self.inbox = inbox  # notify is there: the header links to the inbox, pages go live

    def render(self, request: Request, template: str, session: Session | None, *,
               status: int = 200, title: str = "", **context: Any) -> HTMLResponse:
        new_pre = False
        if session is not None:
            csrf, (flash, refused) = session.csrf, session.take_flash()
        else:
            (csrf, new_pre), flash, refused = pre_token(request), [], []
        shown = self.env.get_template(template)
        inbox = self.inbox and session is not None

        def html(unread: int | None) -> str:
            return shown.render(me=session, csrf=csrf, flash=flash, refused=refused,
                                nav=navigation(session, self.inbox),
                                title=title, path=request.url.path, inbox=inbox,
                                unread=unread, **context)

        # the headers here too, not only in the middleware: the page of an unexpected error
        # is sent from outside every middleware
        response = Page(html, session if inbox else None, status)
        response.headers["cache-control"] = "no-store"
        if new_pre:
            set_cookie(response, request, PRE_COOKIE, csrf)
        return response
