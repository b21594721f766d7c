"""Every string a client can send in a request body (and every free-text query parameter), and
every boolean and number of a JSON body, as a service's OpenAPI document lists them: what the
text and type tests walk, so that a field added tomorrow is walked too."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from fastapi import FastAPI

from interlude.shared.text import SCHEMA_KEY

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class TextField:
    service: str
    method: str
    template: str
    where: str  # "json", "form" or "query"
    path: Path  # inside the body; (name,) for a query parameter
    schema: dict[str, Any]
    required: bool

    @property
    def kind(self) -> str | None:
        """single-line or multi-line free text (interlude.shared.text); None if constrained
        otherwise (a pattern, a choice, a format) or, wrongly, not at all."""
        return self.schema.get(SCHEMA_KEY)

    @property
    def constrained(self) -> bool:
        return any(k in self.schema for k in ("pattern", "enum", "const", "format"))

    @property
    def location(self) -> str:
        """As a 422 problem names it (``body.terms.programme``, ``query.actor``)."""
        return ".".join(str(p) for p in ("body" if self.where != "query" else "query",
                                          *self.path))

    @property
    def name(self) -> str:
        return f"{self.service} {self.method} {self.template} {self.location}"


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _variants(doc: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null alternatives of ``schema`` (``str | None`` is an anyOf)."""
    schema = _resolve(doc, schema)
    options = schema.get("anyOf") or schema.get("oneOf") or [schema]
    return [_resolve(doc, o) for o in options if o.get("type") != "null"]


def _strings(doc: dict[str, Any], schema: dict[str, Any], path: Path, required: bool,
             types: tuple[str, ...] = ("string",)) -> Iterator[tuple[Path, dict[str, Any], bool]]:
    for option in _variants(doc, schema):
        if option.get("type") in types:
            yield path, option, required
        elif option.get("type") == "array":
            yield from _strings(doc, option.get("items", {}), (*path, 0), required, types)
        elif option.get("type") == "object" or "properties" in option:
            needed = set(option.get("required", ()))
            for name, sub in option.get("properties", {}).items():
                yield from _strings(doc, sub, (*path, name), name in needed, types)


def text_fields(service: str, app: FastAPI) -> list[TextField]:
    doc = app.openapi()
    found: list[TextField] = []
    for template, operations in doc["paths"].items():
        for method, op in operations.items():
            content = op.get("requestBody", {}).get("content", {})
            for media, where in (("application/json", "json"),
                                 ("application/x-www-form-urlencoded", "form")):
                if media in content:
                    found += [TextField(service, method.upper(), template, where, path, s, r)
                              for path, s, r in _strings(doc, content[media]["schema"], (),
                                                         True)]
            for param in op.get("parameters", []):
                texts = [v for v in _variants(doc, param.get("schema", {})) if SCHEMA_KEY in v]
                found += [TextField(service, method.upper(), template, "query",
                                    (param["name"],), texts[0], param.get("required", False))
                          for _ in texts[:1] if param["in"] == "query"]
    return found


def scalar_fields(service: str, app: FastAPI) -> list[TextField]:
    """Every boolean, integer and number of a JSON request body (``schema["type"]`` says
    which)."""
    doc = app.openapi()
    return [TextField(service, method.upper(), template, "json", path, schema, required)
            for template, operations in doc["paths"].items()
            for method, op in operations.items()
            if (body := op.get("requestBody", {}).get("content", {}).get("application/json"))
            for path, schema, required in _strings(doc, body["schema"], (), True,
                                                   ("boolean", "integer", "number"))]


def put(body: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """``body`` with ``value`` at ``path`` (lists and objects made on the way)."""
    container: Any = body
    for here, after in pairwise(path):
        blank: Any = [] if isinstance(after, int) else {}
        if isinstance(here, int):
            while len(container) <= here:
                container.append(blank)
        else:
            container.setdefault(here, blank)
        container = container[here]
    last = path[-1]
    if isinstance(last, int):
        while len(container) <= last:
            container.append(None)
    container[last] = value
    return body
