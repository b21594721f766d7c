"""What a service's domain refuses. Each error carries the status and stable slug the API
answers with (``urn:interlude:problem:<slug>``); the message says what to do about it. A
service adds its own kinds by subclassing, and :func:`install_domain_errors` translates them
all in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from interlude.shared.http.problems import Problem, problem_response


class DomainError(Exception):
    status = 409
    slug = "conflict"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status, slug = 404, "not-found"


class InvalidState(DomainError):
    status, slug = 409, "invalid-state"


class NotAllowed(DomainError):
    """The caller takes part, but this act belongs to someone else."""

    status, slug = 403, "not-your-part"


class ConsentMissing(DomainError):
    status, slug = 403, "consent-missing"


class Invalid(DomainError):
    status, slug = 422, "invalid"


def install_domain_errors(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        response = problem_response(request, Problem(exc.status, exc.slug, exc.detail,
                                                     **exc.extra))
        if "retry_after" in exc.extra:  # a 429 or 503 says when to come back
            response.headers["Retry-After"] = str(exc.extra["retry_after"])
        return response
