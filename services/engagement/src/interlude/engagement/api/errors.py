"""engagement's domain errors as problem responses: the one place they are translated."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from interlude.engagement.domain.errors import DomainError
from interlude.shared.http.problems import Problem, problem_response


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(request, Problem(exc.status, exc.slug, exc.detail, **exc.extra))
