"""SCIM 2.0 (RFC 7643, RFC 7644) for an organisation's directory (Entra ID, Okta): people and
groups under ``/scim/v2``, authenticated with the organisation's SCIM token. Every answer,
errors included, is ``application/scim+json``; reads come from the directory read model, and a
write answers once the read model has it, so the directory's next GET or filter sees it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from scim2_models import Context, ListResponse, Resource, ResponseParameters
from scim2_models import Group as ScimGroup

from interlude.identity.api import scim_discovery
from interlude.identity.api.deps import IdentityDep
from interlude.identity.api.scim_errors import (
    MEDIA_TYPE,
    ScimError,
    ScimRoute,
    filter_text,
    not_found,
    storable,
)
from interlude.identity.api.scim_schemas import (
    ScimGroupList,
    ScimGroupPublic,
    ScimGroupWrite,
    ScimPatch,
    ScimResponse,
    ScimUserList,
    ScimUserPublic,
    ScimUserWrite,
    query_parameters,
    scim_body,
    scim_errors,
)
from interlude.identity.app import directory as reads
from interlude.identity.app import groups, organisations, people, scim
from interlude.identity.app.deps import Identity
from interlude.shared.auth import bearer_token
from interlude.shared.events.envelope import CommandContext

DEFAULT_COUNT, MAX_COUNT = 100, scim_discovery.MAX_RESULTS
_INTEGER = re.compile(r"^-?[0-9]{1,12}$")
READ = scim_errors(400, 401, 404)
WRITE = scim_errors(400, 401, 404, 409, 413)

router = APIRouter(prefix="/scim/v2", tags=["scim"], route_class=ScimRoute,
                   default_response_class=ScimResponse)
router.include_router(scim_discovery.router)


@dataclass(frozen=True)
class Directory:
    """The organisation whose SCIM token came with the request."""

    tenant_id: str
    token_id: str

    def context(self, deps: Identity) -> CommandContext:
        return deps.context(self.tenant_id, scim.actor(self.token_id))


async def directory(request: Request, deps: IdentityDep) -> Directory:
    token = bearer_token(request)
    found = await organisations.scim_tenant(deps, token) if token else None
    if found is None:
        raise ScimError(401, "send Authorization: Bearer with a SCIM token of your organisation"
                        " (an org_admin creates one)", headers={"WWW-Authenticate": "Bearer"})
    return Directory(*found)


DirectoryDep = Annotated[Directory, Depends(directory)]


# -- request and response helpers ---------------------------------------------------------------

async def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError):
        raise ScimError(400, "the body is not JSON", "invalidSyntax") from None
    if not isinstance(body, dict):
        raise ScimError(400, "the body must be a JSON object", "invalidSyntax")
    return body


def _number(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if not raw:
        return default
    if not _INTEGER.match(raw):
        raise ScimError(400, f"{name} must be a whole number", "invalidValue")
    return int(raw)


def _paging(request: Request) -> tuple[int, int]:
    """startIndex is 1-based, below 1 read as 1; count below 0 is 0, above MAX_COUNT capped."""
    start = min(max(_number(request, "startIndex", 1), 1), 10**9)
    return start, min(max(_number(request, "count", DEFAULT_COUNT), 0), MAX_COUNT)


def _returned(request: Request, model: type[Resource[Any]]) -> ResponseParameters[Any] | None:
    wanted = {k: v for k in ("attributes", "excludedAttributes")
              if (v := request.query_params.get(k))}
    return ResponseParameters[model].model_validate(wanted) if wanted else None  # type: ignore


def _base(request: Request) -> str:
    return f"{str(request.base_url).rstrip('/')}{router.prefix}"


def _found(user_or_group_id: str, what: str) -> str:
    if not people.ID.match(user_or_group_id):
        raise not_found(what)
    return user_or_group_id


def _resource(request: Request, resource: Resource[Any], ctx: Context,
              status: int = 200) -> JSONResponse:
    body = resource.model_dump(scim_ctx=ctx, response_parameters=_returned(
        request, type(resource)))
    assert resource.meta is not None
    headers = {"ETag": str(resource.meta.version)}
    if status == 201:
        headers["Location"] = str(resource.meta.location)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _listed(request: Request, model: type[Resource[Any]], resources: list[Any], total: int,
            start: int) -> JSONResponse:
    listing = ListResponse[model](  # type: ignore[valid-type]
        total_results=total, start_index=start, items_per_page=len(resources),
        resources=resources)
    body = listing.model_dump(scim_ctx=Context.SEARCH_RESPONSE,
                              response_parameters=_returned(request, model))
    return JSONResponse(body, media_type=MEDIA_TYPE)


def _group(found: tuple[dict[str, Any], dict[str, str | None]], request: Request) -> ScimGroup:
    """A group of the directory and its members' names as a SCIM group."""
    return groups.group_resource(*found, _base(request))


# -- Users --------------------------------------------------------------------------------------
LISTING = query_parameters("filter", "startIndex", "count", "attributes", "excludedAttributes")
SHOWING = query_parameters("attributes", "excludedAttributes")


@router.get("/Users", response_model=ScimUserList, responses=READ, openapi_extra=LISTING)
async def list_users(request: Request, caller: DirectoryDep, deps: IdentityDep) -> Response:
    start, count = _paging(request)
    rows, total = await reads.scim_users(deps, caller.tenant_id,
                                         filter_text(request.query_params.get("filter")),
                                         start, count)
    resources = [scim.user_resource(r, _base(request)) for r in rows]
    return _listed(request, scim.ScimUser, resources, total, start)


@router.get("/Users/{user_id}", response_model=ScimUserPublic, responses=READ,
            openapi_extra=SHOWING)
async def get_user(user_id: str, request: Request, caller: DirectoryDep,
                   deps: IdentityDep) -> Response:
    row = await reads.scim_user(deps, caller.tenant_id, _found(user_id, "user"))
    user = scim.user_resource(row, _base(request))
    return _resource(request, user, Context.RESOURCE_QUERY_RESPONSE)


@router.post("/Users", status_code=201, response_model=ScimUserPublic, responses=WRITE,
             openapi_extra=scim_body(ScimUserWrite))
async def create_user(request: Request, caller: DirectoryDep, deps: IdentityDep) -> Response:
    wanted = storable(scim.validated(scim.ScimUser, await _body(request),
                                     Context.RESOURCE_CREATION_REQUEST))
    user_id, position = await scim.create_user(deps, caller.context(deps), scim.person_of(wanted))
    await reads.caught_up(deps, position)
    row = await reads.scim_user(deps, caller.tenant_id, user_id)
    user = scim.user_resource(row, _base(request))
    return _resource(request, user, Context.RESOURCE_CREATION_RESPONSE, status=201)


async def _update_user(request: Request, caller: Directory, deps: Identity, user_id: str,
                       edit: Callable[[scim.ScimUser], scim.ScimUser]) -> Response:
    row = await reads.scim_user(deps, caller.tenant_id, _found(user_id, "user"), fresh=True)
    before = scim.user_resource(row, _base(request))
    after = scim.person_of(storable(edit(before)), before)
    position = await scim.update_user(deps, caller.context(deps), user_id, scim.current(row),
                                      after)
    await reads.caught_up(deps, position)
    user = scim.user_resource(await reads.scim_user(deps, caller.tenant_id, user_id),
                              _base(request))
    return _resource(request, user, Context.RESOURCE_REPLACEMENT_RESPONSE)


@router.put("/Users/{user_id}", response_model=ScimUserPublic, responses=WRITE,
            openapi_extra=scim_body(ScimUserWrite))
async def replace_user(user_id: str, request: Request, caller: DirectoryDep,
                       deps: IdentityDep) -> Response:
    body = await _body(request)
    return await _update_user(request, caller, deps, user_id, lambda _: scim.validated(
        scim.ScimUser, body, Context.RESOURCE_REPLACEMENT_REQUEST))


@router.patch("/Users/{user_id}", response_model=ScimUserPublic, responses=WRITE,
              openapi_extra=scim_body(ScimPatch))
async def patch_user(user_id: str, request: Request, caller: DirectoryDep,
                     deps: IdentityDep) -> Response:
    body = await _body(request)
    return await _update_user(request, caller, deps, user_id,
                              lambda before: scim.patched(before, body))


@router.delete("/Users/{user_id}", status_code=204, response_class=Response,
               responses=scim_errors(401, 404, 409))
async def delete_user(user_id: str, caller: DirectoryDep, deps: IdentityDep) -> Response:
    """Deactivates the person (their record stays); a later GET shows ``active: false``."""
    position = await scim.deprovision(deps, caller.context(deps), _found(user_id, "user"))
    await reads.caught_up(deps, position)
    return Response(status_code=204)


# -- Groups -------------------------------------------------------------------------------------

@router.get("/Groups", response_model=ScimGroupList, responses=READ, openapi_extra=LISTING)
async def list_groups(request: Request, caller: DirectoryDep, deps: IdentityDep) -> Response:
    start, count = _paging(request)
    rows, names, total = await reads.scim_groups(
        deps, caller.tenant_id, filter_text(request.query_params.get("filter")), start, count)
    resources = [_group((r, names), request) for r in rows]
    return _listed(request, ScimGroup, resources, total, start)


@router.get("/Groups/{group_id}", response_model=ScimGroupPublic, responses=READ,
            openapi_extra=SHOWING)
async def get_group(group_id: str, request: Request, caller: DirectoryDep,
                    deps: IdentityDep) -> Response:
    group = _group(await reads.scim_group(deps, caller.tenant_id, _found(group_id, "group")),
                   request)
    return _resource(request, group, Context.RESOURCE_QUERY_RESPONSE)


@router.post("/Groups", status_code=201, response_model=ScimGroupPublic, responses=WRITE,
             openapi_extra=scim_body(ScimGroupWrite))
async def create_group(request: Request, caller: DirectoryDep, deps: IdentityDep) -> Response:
    wanted = storable(scim.validated(ScimGroup, await _body(request),
                                     Context.RESOURCE_CREATION_REQUEST))
    shape = groups.shape_of(wanted)
    if await reads.group_named(deps, caller.tenant_id, shape.display_name):
        raise ScimError(409, f"there is already a group named {shape.display_name!r}",
                        "uniqueness")
    group_id, position = await groups.create(deps, caller.context(deps), shape)
    await reads.caught_up(deps, position)
    group = _group(await reads.scim_group(deps, caller.tenant_id, group_id), request)
    return _resource(request, group, Context.RESOURCE_CREATION_RESPONSE, status=201)


async def _change_group(request: Request, caller: Directory, deps: Identity, group_id: str,
                        edit: Callable[[Any], groups.Shape]) -> Response:
    position = await groups.change(deps, caller.context(deps), _found(group_id, "group"), edit)
    await reads.caught_up(deps, position)
    group = _group(await reads.scim_group(deps, caller.tenant_id, group_id), request)
    return _resource(request, group, Context.RESOURCE_REPLACEMENT_RESPONSE)


@router.put("/Groups/{group_id}", response_model=ScimGroupPublic, responses=WRITE,
            openapi_extra=scim_body(ScimGroupWrite))
async def replace_group(group_id: str, request: Request, caller: DirectoryDep,
                        deps: IdentityDep) -> Response:
    shape = groups.shape_of(storable(scim.validated(ScimGroup, await _body(request),
                                                    Context.RESOURCE_REPLACEMENT_REQUEST)))
    return await _change_group(request, caller, deps, group_id, lambda _: shape)


@router.patch("/Groups/{group_id}", response_model=ScimGroupPublic, responses=WRITE,
              openapi_extra=scim_body(ScimPatch))
async def patch_group(group_id: str, request: Request, caller: DirectoryDep,
                      deps: IdentityDep) -> Response:
    body = await _body(request)
    return await _change_group(request, caller, deps, group_id, lambda state: groups.shape_of(
        storable(scim.patched(groups.state_resource(group_id, state), body))))


@router.delete("/Groups/{group_id}", status_code=204, response_class=Response,
               responses=scim_errors(401, 404, 409))
async def delete_group(group_id: str, caller: DirectoryDep, deps: IdentityDep) -> Response:
    position = await groups.delete(deps, caller.context(deps), _found(group_id, "group"))
    await reads.caught_up(deps, position)
    return Response(status_code=204)


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                  include_in_schema=False)
async def elsewhere(rest: str) -> Response:
    raise ScimError(404, f"there is no SCIM endpoint /{rest[:100]}; this service offers /Users,"
                    " /Groups, /ServiceProviderConfig, /ResourceTypes and /Schemas")
