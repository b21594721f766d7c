"""What ``/openapi.json`` says about SCIM (RFC 7643, RFC 7644): the resources we answer, the
bodies we take, and SCIM's own error messages, all ``application/scim+json``. The routes parse
bodies themselves (scim2-models, under the policy of :mod:`~interlude.identity.app.scim`) so
that every refusal is a SCIM error a directory understands; these models only describe them,
so that a client generator or a fuzzer can reach every route."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

MEDIA_TYPE = "application/scim+json"
PREFIX = "/scim/v2"
MAX_RESULTS = 200
_MEANINGS = {400: "invalid: scimType says how (invalidSyntax, invalidValue, invalidFilter)",
             401: "no valid SCIM token", 404: "nothing of the organisation is there",
             409: "uniqueness, or changed by someone else at the same moment",
             413: "the request is too large", 503: "try again in a few seconds"}


class ScimResponse(JSONResponse):
    """Every SCIM answer, errors included, is ``application/scim+json``."""

    media_type = MEDIA_TYPE


class _Scim(BaseModel):
    """SCIM attributes are camelCase and extensible: what a model does not name may be there."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ScimName(_Scim):
    formatted: str | None = None
    given_name: str | None = Field(None, alias="givenName")
    family_name: str | None = Field(None, alias="familyName")


class ScimEmail(_Scim):
    value: str | None = None
    type: str | None = None
    primary: bool | None = None


class ScimRole(_Scim):
    value: str | None = None


class ScimMeta(_Scim):
    resource_type: str | None = Field(None, alias="resourceType")
    created: str | None = None
    last_modified: str | None = Field(None, alias="lastModified")
    location: str | None = None
    version: str | None = None


class ScimUserPublic(_Scim):
    """A person as a SCIM user: one address (``userName``, shown again as the work e-mail),
    one name, an external id, and ``active`` (false once deactivated)."""

    schemas: list[str]
    id: str
    external_id: str | None = Field(None, alias="externalId")
    user_name: str | None = Field(None, alias="userName")
    display_name: str | None = Field(None, alias="displayName")
    name: ScimName | None = None
    active: bool | None = None
    emails: list[ScimEmail] | None = None
    roles: list[ScimRole] | None = None
    meta: ScimMeta | None = None


class ScimUserWrite(_Scim):
    """A user to create (POST) or the whole user to replace (PUT). ``userName`` (or a work
    e-mail) is the person's address; other attributes are accepted and not kept."""

    schemas: list[str] = Field(examples=[["urn:ietf:params:scim:schemas:core:2.0:User"]])
    user_name: str | None = Field(None, alias="userName", max_length=320)
    external_id: str | None = Field(None, alias="externalId", max_length=200)
    display_name: str | None = Field(None, alias="displayName", max_length=200)
    name: ScimName | None = None
    active: bool | None = None
    emails: list[ScimEmail] | None = None


class ScimMember(_Scim):
    value: str | None = None
    display: str | None = None
    type: str | None = None
    ref: str | None = Field(None, alias="$ref")


class ScimGroupPublic(_Scim):
    schemas: list[str]
    id: str
    external_id: str | None = Field(None, alias="externalId")
    display_name: str | None = Field(None, alias="displayName")
    members: list[ScimMember] | None = None
    meta: ScimMeta | None = None


class ScimGroupWrite(_Scim):
    """A group to create or replace; a group named after a role grants it to its members."""

    schemas: list[str] = Field(examples=[["urn:ietf:params:scim:schemas:core:2.0:Group"]])
    external_id: str | None = Field(None, alias="externalId", max_length=200)
    display_name: str = Field(alias="displayName", max_length=200)
    members: list[ScimMember] | None = None


class ScimPatchOperation(_Scim):
    op: str = Field(description="add, remove or replace")
    path: str | None = None
    value: Any = None


class ScimPatch(_Scim):
    """A PatchOp (RFC 7644 §3.5.2)."""

    schemas: list[str] = Field(examples=[["urn:ietf:params:scim:api:messages:2.0:PatchOp"]])
    operations: list[ScimPatchOperation] = Field(alias="Operations")


class ScimList(_Scim):
    schemas: list[str]
    total_results: int = Field(alias="totalResults")
    start_index: int | None = Field(None, alias="startIndex")
    items_per_page: int | None = Field(None, alias="itemsPerPage")
    resources: list[dict[str, Any]] | None = Field(None, alias="Resources")


class ScimUserList(ScimList):
    resources: list[ScimUserPublic] | None = Field(None, alias="Resources")  # type: ignore[assignment]


class ScimGroupList(ScimList):
    resources: list[ScimGroupPublic] | None = Field(None, alias="Resources")  # type: ignore[assignment]


class ScimDocument(_Scim):
    """What the service says about itself: a configuration, a resource type or a schema."""

    schemas: list[str]


class ScimErrorPublic(_Scim):
    """SCIM's error message (RFC 7644 §3.12); ``status`` is a string, as the RFC has it."""

    schemas: list[str]
    status: str
    scim_type: str | None = Field(None, alias="scimType")
    detail: str | None = None


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``$defs`` references replaced by the definitions themselves (an
    operation's request body cannot point into a model's own ``$defs``)."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)


def scim_body(model: type[BaseModel]) -> dict[str, Any]:
    """The ``openapi_extra`` of a route that takes ``model`` as its SCIM body. Described in
    SCIM's media type only (a body sent as ``application/json`` is taken too, as RFC 7644 §8.1
    asks): its text is refused as SCIM refuses it (invalidValue naming the attribute), not
    with the problems of the rest of the API."""
    schema = _inline(model.model_json_schema(by_alias=True))
    return {"requestBody": {"required": True, "content": {MEDIA_TYPE: {"schema": schema}}}}


def scim_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The SCIM error answers of a route (503 always: any route may meet an outage)."""
    schema = _inline(ScimErrorPublic.model_json_schema(by_alias=True))
    return {status: {"description": _MEANINGS.get(status, "a SCIM error"),
                     "content": {MEDIA_TYPE: {"schema": schema}}}
            for status in sorted({*statuses, 503})}


# the query is read by the routes themselves, so that a bad value is a SCIM error: described here
_QUERY = {"filter": "a SCIM filter (RFC 7644 §3.4.2.2), e.g. userName eq \"a@example.org\"",
          "startIndex": "1-based", "count": f"at most {MAX_RESULTS}",
          "attributes": "the attributes to return, comma-separated",
          "excludedAttributes": "the attributes to leave out, comma-separated"}


def query_parameters(*names: str) -> dict[str, Any]:
    """The ``openapi_extra`` of a route that reads these SCIM query parameters."""
    return {"parameters": [{"name": n, "in": "query", "required": False,
                            "description": _QUERY[n], "schema": {"type": "string"}}
                           for n in names]}


def describe(app: FastAPI) -> None:
    """SCIM answers a request it cannot validate with a SCIM error (400, RFC 7644), never
    FastAPI's 422: drop the 422 FastAPI documents for every SCIM route with parameters."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            for path, operations in generate()["paths"].items():
                if path.startswith(PREFIX):
                    for operation in operations.values():
                        operation["responses"].pop("422", None)
        assert app.openapi_schema is not None  # FastAPI keeps what it generated
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
