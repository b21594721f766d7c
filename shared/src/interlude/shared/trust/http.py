"""Policy blocks as HTTP answers: 403 problems that name the block."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from interlude.shared.http.problems import Problem, problem_response
from interlude.shared.trust.cache import PolicyBlocked


def blocked_problem(exc: PolicyBlocked) -> Problem:
    """The 403 ``policy-blocked`` problem of a block, with members ``block`` (the key) and
    ``policy_version`` (None when the organisation's policy is not known here)."""
    if exc.version is None:
        detail = (f"{exc.key} is refused because this service does not know your "
                  "organisation's security policy yet; try again in a minute, and tell your "
                  "administrator if it persists")
    else:
        detail = (f"your organisation has switched off {exc.key}; ask your organisation's "
                  "administrator if you need it")
    return Problem(403, "policy-blocked", detail, title="Blocked by your organisation",
                   block=exc.key, policy_version=exc.version)


def install_trust_handlers(app: FastAPI) -> None:
    """Answer :class:`PolicyBlocked` raised anywhere in a request with its 403 problem."""

    async def _blocked(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, PolicyBlocked)
        return problem_response(request, blocked_problem(exc))

    app.add_exception_handler(PolicyBlocked, _blocked)
