"""What the SCIM service says about itself (RFC 7644 §4): ``/ServiceProviderConfig``,
``/ResourceTypes`` and ``/Schemas``. Directories probe them before provisioning; they describe
no organisation, so they need no token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    ListResponse,
    Patch,
    ResourceType,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    User,
)

from interlude.identity.api.scim_errors import MEDIA_TYPE, ScimError, ScimRoute
from interlude.identity.api.scim_schemas import (
    MAX_RESULTS,
    ScimDocument,
    ScimList,
    ScimResponse,
    scim_errors,
)
from interlude.identity.app.scim import POLICY, ScimUser

CONFIG = ServiceProviderConfig(
    patch=Patch(supported=True), filter=Filter(supported=True, max_results=MAX_RESULTS),
    bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
    change_password=ChangePassword(supported=False), sort=Sort(supported=False),
    etag=ETag(supported=False),
    authentication_schemes=[AuthenticationScheme(
        type=AuthenticationScheme.Type.oauthbearertoken, name="Bearer token", primary=True,
        description="a SCIM token an org_admin of the organisation created")])
PROVIDER = ScimProvider(
    models=[User, EnterpriseUser, Group], config=CONFIG, policy=POLICY,
    resource_types=[ResourceType.from_resource(ScimUser), ResourceType.from_resource(Group)])

router = APIRouter(route_class=ScimRoute, default_response_class=ScimResponse)
FOUND = scim_errors(404)


def _base(request: Request) -> str:
    return f"{str(request.base_url).rstrip('/')}/scim/v2"


def _document(item: Any, kind: str, location: str) -> dict[str, Any]:
    body: dict[str, Any] = item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    return body | {"meta": {"resourceType": kind, "location": location}}


def _listed(items: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"schemas": [str(ListResponse.__schema__)], "totalResults": len(items),
                         "startIndex": 1, "itemsPerPage": len(items), "Resources": items},
                        media_type=MEDIA_TYPE)


def _resource_types(request: Request) -> dict[str, dict[str, Any]]:
    return {str(t.id): _document(t, "ResourceType", f"{_base(request)}/ResourceTypes/{t.id}")
            for t in PROVIDER.resource_types}


def _schemas(request: Request) -> dict[str, dict[str, Any]]:
    return {str(s.id): _document(s, "Schema", f"{_base(request)}/Schemas/{s.id}")
            for s in PROVIDER.schemas}


@router.get("/ServiceProviderConfig", response_model=ScimDocument, responses=scim_errors())
async def service_provider_config(request: Request) -> JSONResponse:
    return JSONResponse(_document(CONFIG, "ServiceProviderConfig",
                                  f"{_base(request)}/ServiceProviderConfig"),
                        media_type=MEDIA_TYPE)


@router.get("/ResourceTypes", response_model=ScimList, responses=scim_errors())
async def resource_types(request: Request) -> JSONResponse:
    return _listed(list(_resource_types(request).values()))


@router.get("/ResourceTypes/{name}", response_model=ScimDocument, responses=FOUND)
async def resource_type(name: str, request: Request) -> JSONResponse:
    if (found := _resource_types(request).get(name)) is None:
        raise ScimError(404, f"there is no resource type {name[:100]!r}")
    return JSONResponse(found, media_type=MEDIA_TYPE)


@router.get("/Schemas", response_model=ScimList, responses=scim_errors())
async def schemas(request: Request) -> JSONResponse:
    return _listed(list(_schemas(request).values()))


@router.get("/Schemas/{schema_id}", response_model=ScimDocument, responses=FOUND)
async def schema(schema_id: str, request: Request) -> JSONResponse:
    if (found := _schemas(request).get(schema_id)) is None:
        raise ScimError(404, f"there is no schema {schema_id[:200]!r}")
    return JSONResponse(found, media_type=MEDIA_TYPE)
