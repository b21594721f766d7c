"""Errors as pages: what happened in words a person can act on, never a stack trace, with the
status a browser and a test can see (a contract of another organisation is a 404 page)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from interlude.web.deps import FormRefused, NeedSignIn, NotForYou, session_of, web_of
from interlude.web.security import clear_cookie, cookie_name
from interlude.web.upstream import SignedOut, UpstreamProblem
from interlude.web.wording import STATIC, message

log = logging.getLogger(__name__)
TITLES = {400: "That did not work", 403: "Not for this account", 404: "Not found",
          405: "Not found", 409: "That did not work", 413: "Too long", 429: "Please wait",
          500: "Something went wrong", 503: "Please try again in a moment"}


def error_page(request: Request, status: int, text: str, title: str | None = None) -> Response:
    deps = web_of(request)
    session = session_of(request, deps)
    return deps.pages.render(request, "error.html", session, status=status,
                             title=title or TITLES.get(status, "That did not work"),
                             message=text)


def install(app: FastAPI) -> None:
    @app.exception_handler(NeedSignIn)
    async def _sign_in(request: Request, exc: Exception) -> Response:
        target = request.url.path if request.method == "GET" else "/"
        return RedirectResponse(f"/sign-in?next={target}", status_code=303)

    @app.exception_handler(SignedOut)
    async def _ended(request: Request, exc: Exception) -> Response:
        response = RedirectResponse("/sign-in?ended=1", status_code=303)
        clear_cookie(response, request, cookie_name(request))
        return response

    @app.exception_handler(NotForYou)
    async def _not_for_you(request: Request, exc: Exception) -> Response:
        return error_page(request, 403, "This page is for another role than yours. The "
                          "Start page lists what you can do.")

    @app.exception_handler(FormRefused)
    async def _refused(request: Request, exc: Exception) -> Response:
        return error_page(request, 403, "This form could not be accepted: it was open for too "
                          "long, or it came from another site. Go back, reload the page and "
                          "send it again.")

    @app.exception_handler(UpstreamProblem)
    async def _upstream(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, UpstreamProblem)
        status = exc.status if exc.status in TITLES else 400
        # the person's account is fine: their organisation switched the feature off
        title = "Switched off by your organisation" if exc.slug == "policy-blocked" else None
        return error_page(request, status, message(exc), title)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: Exception) -> Response:
        # only addresses are validated by routes (ids in paths): a wrong one finds nothing
        return error_page(request, 404, STATIC["not-found"])

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code in (404, 405):
            return error_page(request, 404, "There is no page at this address. The Start "
                              "page lists what you can do.")
        if exc.status_code == 413:
            return error_page(request, 413, "That was too long to send. Please shorten it.")
        return error_page(request, exc.status_code, "That did not work; please try again.")

    @app.exception_handler(Exception)
    async def _failed(request: Request, exc: Exception) -> Response:
        log.exception("a page failed", exc_info=exc)
        return error_page(request, 500, "Something went wrong on our side. Please try again; "
                          "if it keeps happening, tell your administrator the time it happened.")
