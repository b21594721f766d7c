"""RFC 9457 problem details: every error a client sees has a stable ``type`` and a message a
person can act on. Domain errors are translated here, at the boundary, and nowhere else."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from interlude.shared.eventstore.base import ConcurrencyError, StoreUnavailable
from interlude.shared.eventstore.connection import NATS_UNAVAILABLE, UNAVAILABLE_DETAIL

log = logging.getLogger(__name__)
PROBLEM_BASE = "urn:interlude:problem:"
MEDIA_TYPE = "application/problem+json"

_TITLES = {400: "Bad request", 401: "Not signed in", 403: "Forbidden", 404: "Not found",
           405: "Method not allowed", 409: "Conflict", 413: "Request too large",
           415: "Unsupported media type", 422: "Invalid request", 429: "Too many requests",
           500: "Internal error", 503: "Service unavailable"}
RETRY_AFTER = "2"  # seconds: a restarted nats-server or PostgreSQL is back within about that
# NATS or PostgreSQL away (stopped, restarting, unreachable): the same answer from every route
NATS_DOWN: tuple[type[Exception], ...] = (StoreUnavailable, *NATS_UNAVAILABLE)
POSTGRES_DOWN: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError, asyncpg.exceptions.OperatorInterventionError,
    # what the client says of a connection whose server vanished mid-use: "connection is
    # closed", or a protocol left half-way when the pool resets it on release
    asyncpg.InterfaceError, asyncpg.InternalClientError)
_SLUGS = {400: "bad-request", 401: "unauthenticated", 403: "forbidden", 404: "not-found",
          405: "method-not-allowed", 409: "conflict", 413: "too-large",
          415: "unsupported-media-type", 422: "validation", 429: "rate-limited",
          500: "internal", 503: "unavailable"}


class Problem(Exception):
    """Raise anywhere in a request to answer with a problem. ``slug`` names the type for good
    (clients switch on it); ``extra`` members are added to the body (e.g. ``retry_after``)."""

    def __init__(self, status: int, slug: str, detail: str, *, title: str | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.title = title or _TITLES.get(status, "Error")
        self.headers = headers
        self.extra = extra


def problem_response(request: Request | None, problem: Problem) -> JSONResponse:
    body = {"type": PROBLEM_BASE + problem.slug, "title": problem.title,
            "status": problem.status, "detail": problem.detail, **problem.extra}
    if request is not None:
        body["instance"] = request.url.path
    return JSONResponse(body, status_code=problem.status, media_type=MEDIA_TYPE,
                        headers=problem.headers)


_UNREADABLE_BODY = "There was an error parsing the body"  # FastAPI's detail


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # never echo the input back: it may be the very content we must not leak into logs
    return [{"location": ".".join(str(p) for p in err.get("loc", ())),
             "message": err.get("msg", "invalid"), "code": err.get("type", "invalid")}
            for err in exc.errors()]


def install_problem_handlers(app: FastAPI) -> None:
    """Map framework and domain errors to problems; anything unexpected becomes a 500 problem
    without details (the details go to the log, without request bodies)."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        first = errors[0] if errors else {"location": "body", "message": "invalid"}
        detail = f"{first['location']}: {first['message']}"
        if len(errors) > 1:
            detail += f" (and {len(errors) - 1} more)"
        return problem_response(request, Problem(422, "validation", detail, errors=errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _UNREADABLE_BODY:
            # FastAPI's answer to a body that is not text (not UTF-8), or JSON nested deeper
            # than the parser recurses: the same problem as malformed JSON (422), which every
            # route with a body declares
            if isinstance(exc.__cause__, RecursionError):
                detail, message = "body: JSON nested too deeply to read", "nested too deeply"
            else:
                detail = "body: not readable as JSON (UTF-8 text expected)"
                message = "not UTF-8 text"
            return problem_response(request, Problem(
                422, "validation", detail,
                errors=[{"location": "body", "message": message, "code": "json_invalid"}]))
        slug = _SLUGS.get(exc.status_code, "error")
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"there is nothing at {request.url.path}"
        return problem_response(request, Problem(exc.status_code, slug, detail,
                                                 headers=getattr(exc, "headers", None)))

    @app.exception_handler(ConcurrencyError)
    async def _conflict(request: Request, exc: ConcurrencyError) -> JSONResponse:
        return problem_response(request, Problem(
            409, "concurrent-update",
            "someone else changed this at the same moment; reload it and try again"))

    async def _nats_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("%s %s: NATS unavailable (%s: %s)", request.method, request.url.path,
                    type(exc).__name__, exc)
        return problem_response(request, Problem(503, "unavailable", UNAVAILABLE_DETAIL,
                                                 headers={"Retry-After": RETRY_AFTER}))

    async def _postgres_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("%s %s: PostgreSQL unavailable (%s)", request.method, request.url.path,
                    type(exc).__name__)
        return problem_response(request, Problem(
            503, "unavailable", "the database is not reachable right now; try again in a few "
            "seconds", headers={"Retry-After": RETRY_AFTER}))

    async def _refused(request: Request, exc: Exception) -> JSONResponse:
        # e.g. a new database connection refused while PostgreSQL restarts
        log.warning("%s %s: a connection failed (%s)", request.method, request.url.path,
                    type(exc).__name__)
        return problem_response(request, Problem(
            503, "unavailable", "a server this service depends on is not reachable right now; "
            "try again in a few seconds", headers={"Retry-After": RETRY_AFTER}))

    # one place for every route: the handler found walks the exception's class hierarchy
    for kind in NATS_DOWN:
        app.add_exception_handler(kind, _nats_down)
    for kind in POSTGRES_DOWN:
        app.add_exception_handler(kind, _postgres_down)
    app.add_exception_handler(ConnectionError, _refused)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(request, Problem(
            500, "internal", "something went wrong on our side; it has been logged"))
