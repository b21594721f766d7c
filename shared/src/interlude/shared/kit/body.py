"""The base of every JSON request body, and its rule for booleans and numbers: each is taken only
as its own JSON type, as the OpenAPI document promises. ``{"findable": 0}``,
``{"minutes": "30"}`` or ``{"mood": true}`` is refused with a 422 problem naming the field,
not read as ``false``, ``30`` or ``1``.

    class SpaceCreate(RequestBody):
        findable: StrictBool = False                 # true or false, nothing else
        seconds: StrictInt = Field(ge=0, le=86_400)  # 30, not "30", 30.5 nor true

A body's booleans, integers and numbers are pydantic's ``StrictBool``, ``StrictInt`` and
``StrictFloat`` (a float takes a JSON integer too), also in the models a body nests;
:func:`loose_scalars` finds one that is not, and every service's tests ask it. Strict mode
for a whole model would not do: FastAPI validates the parsed body as Python objects, where
strict mode also refuses what JSON can only send as a string (an ISO 8601 instant, an enum's
value) or as an array (a tuple). Query parameters are text by nature and keep their parsing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI, params
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict

SCALARS = {"bool": "StrictBool", "int": "StrictInt", "float": "StrictFloat"}
# keys of a core schema that hold values rather than schemas (a default may be any dict)
_VALUES = frozenset({"default", "metadata", "serialization", "expected", "cls", "ref"})


class RequestBody(BaseModel):
    """A JSON request body: no member the model does not name; booleans and numbers strict."""

    model_config = ConfigDict(extra="forbid")


def _loose(schema: Any, where: str) -> Iterator[str]:
    if isinstance(schema, list):
        for item in schema:
            yield from _loose(item, where)
    elif isinstance(schema, dict):
        kind = schema.get("type")
        if kind in SCALARS and not schema.get("strict"):
            yield f"{where}: {kind} (use {SCALARS[kind]})"
        for key, value in schema.items():
            if key in _VALUES:
                continue
            if key == "fields" and isinstance(value, dict):
                for name, field in value.items():
                    yield from _loose(field, f"{where}.{name}")
            else:
                yield from _loose(value, where)


def _routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router (FastAPI 0.16x)
            yield from _routes(route.original_router.routes)


def loose_scalars(app: FastAPI) -> list[str]:
    """Every boolean, integer or number of a JSON request body of ``app`` that would take
    another JSON type (``0`` for false, ``"5"`` for 5), as ``METHOD /path body.field: type``."""
    found = []
    for route in _routes(app.routes):
        field = route.body_field
        if field is None or isinstance(field.field_info, params.Form):
            continue  # a form's values are text, as a query's
        schema = field._type_adapter.core_schema
        for method in sorted(route.methods or ()):
            found += [f"{method} {route.path} {gap}" for gap in _loose(schema, "body")]
    return sorted(set(found))
