"""SCIM's errors (RFC 7644 §3.12): what goes wrong under ``/scim/v2`` is answered as a SCIM
Error message in ``application/scim+json``, not as a problem, because directories parse it."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError
from scim2_models import Error, SCIMException
from starlette.exceptions import HTTPException

from interlude.identity.api.scim_schemas import MEDIA_TYPE
from interlude.identity.app.directory import FilterRefused
from interlude.identity.domain.errors import AlreadyExists, DomainError, Invalid
from interlude.shared.eventstore.base import ConcurrencyError, StoreUnavailable
from interlude.shared.http.problems import Problem
from interlude.shared.text import refusal

__all__ = ["MEDIA_TYPE", "ScimError", "ScimRoute", "filter_text", "not_found", "storable"]


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.error = Error(status=status, scim_type=scim_type, detail=detail)
        self.headers = headers


def not_found(what: str) -> ScimError:
    return ScimError(404, f"there is no such {what} in your organisation")


def _kept_text(resource: Any) -> list[tuple[str, str | None]]:
    """The text attributes of a SCIM user or group that we keep (or build the name from), by
    their SCIM names; the attributes we drop may hold anything (a formatted address has lines)."""
    found: list[tuple[str, str | None]] = [
        ("externalId", resource.external_id), ("displayName", resource.display_name)]
    if hasattr(resource, "user_name"):
        name = resource.name
        found += [("userName", resource.user_name)]
        found += [(f"name.{attr}", getattr(name, key) if name else None) for attr, key in (
            ("formatted", "formatted"), ("givenName", "given_name"),
            ("familyName", "family_name"))]
        found += [(f"emails[{i}].value", e.value) for i, e in enumerate(resource.emails or [])]
    return found


def storable(resource: Any) -> Any:
    """``resource`` (a SCIM user or group) if the directory can store its text; else a SCIM
    invalidValue naming the attribute, before anything is written: text with a NUL, another
    control character or half a surrogate pair would be accepted, then lost by the read
    model."""
    for attribute, value in _kept_text(resource):
        reason = refusal(value, "single-line") if value else None
        if reason is not None:
            raise ScimError(400, f"{attribute}: {reason}", "invalidValue")
    return resource


def filter_text(value: str | None) -> str | None:
    """A filter with characters no attribute can hold is refused (invalidFilter), rather than
    handed to PostgreSQL, which cannot compare text with a NUL."""
    reason = refusal(value, "single-line") if value else None
    if reason is not None:
        raise ScimError(400, f"filter: {reason}", "invalidFilter")
    return value


def error_response(error: Error, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error.model_dump(), status_code=error.status or 400,
                        media_type=MEDIA_TYPE, headers=headers)


def _domain(exc: DomainError) -> Error:
    if isinstance(exc, Invalid):
        return Error(status=400, scim_type="invalidValue", detail=exc.detail)
    scim_type = "uniqueness" if isinstance(exc, AlreadyExists) else None
    return Error(status=exc.status, scim_type=scim_type, detail=exc.detail)


def as_error(exc: Exception) -> tuple[Error, dict[str, str] | None] | None:
    """The SCIM error an exception stands for; None for the unexpected (a 500 problem)."""
    match exc:
        case ScimError():
            return exc.error, exc.headers
        case SCIMException():
            return exc.to_error(), None
        case ValidationError():  # a body or a query parameter that does not fit the schema
            return Error.from_validation_errors(exc)[0], None
        case FilterRefused():
            return Error(status=400, scim_type="invalidFilter", detail=str(exc)), None
        case RequestValidationError():
            return Error(status=400, scim_type="invalidValue", detail="invalid request"), None
        case DomainError():
            return _domain(exc), None
        case ConcurrencyError():
            return Error(status=409, detail="changed by someone else at the same moment;"
                         " try again"), None
        case StoreUnavailable():
            return Error(status=503, detail="try again in a few seconds"), {"Retry-After": "5"}
        case Problem():
            return Error(status=exc.status, detail=exc.detail), exc.headers
        case HTTPException():  # a body over the size limit, among others
            detail = exc.detail if isinstance(exc.detail, str) else "refused"
            return Error(status=exc.status_code, detail=detail), dict(exc.headers or {})
    return None


class ScimRoute(APIRoute):
    """A route whose errors are answered as SCIM Error messages. FastAPI has no exception
    handlers per router, so the route's handler catches them itself."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def scim_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                if (found := as_error(exc)) is None:
                    raise
                return error_response(*found)

        return scim_handler
