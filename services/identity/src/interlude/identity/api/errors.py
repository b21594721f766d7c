"""identity's domain errors as problem responses: the one place they are translated."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from interlude.identity.app.sessions import (
    LoginThrottled,
    MfaEnrolmentRequired,
    OrganisationRequired,
)
from interlude.identity.domain.errors import DomainError
from interlude.shared.http.problems import Problem, problem_response
from interlude.shared.policy import PolicyInvalid


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        extra: dict[str, Any] = {}
        headers = None
        if isinstance(exc, LoginThrottled):
            extra["retry_after"] = exc.retry_after
            headers = {"Retry-After": str(exc.retry_after)}
        if isinstance(exc, MfaEnrolmentRequired):
            extra["mfa_ticket"] = exc.ticket
        if isinstance(exc, OrganisationRequired):
            extra["organisations"] = exc.organisations
        return problem_response(request, Problem(exc.status, exc.slug, exc.detail,
                                                 headers=headers, **extra))

    @app.exception_handler(PolicyInvalid)
    async def _policy(request: Request, exc: PolicyInvalid) -> JSONResponse:
        return problem_response(request, Problem(
            422, "policy-invalid", f"{exc.key}: {exc.message}", key=exc.key))
