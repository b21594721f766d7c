"""A client for the text tests that remembers which text fields it sent and saw accepted, and
the nasty but valid text they are sent: emoji, right-to-left script and marks, combining
marks, astral letters, tabs and line breaks where lines are allowed, at the field's maximum
length."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI

from .fields import Path, TextField

# right-to-left mark, Arabic, a combining acute accent, an emoji with a skin tone and a
# zero-width joiner sequence, an astral (4-byte) letter, a ligature wider than a line
PIECES = ("Zoë", "\u200fمرحبا\u200e", "e\u0301", "👩🏽‍💻", "𝔘𝔫𝔦", "﷽", "Ça va ?")


def nasty(length: int, multi_line: bool = False) -> str:
    """Exactly ``length`` characters of valid, awkward text (no surrounding whitespace, which
    some fields strip)."""
    joiner = "\n\t" if multi_line else " "
    lines = "\r\n" if multi_line else " "
    text = ""
    while len(text) < length:
        text += joiner.join(PIECES) + lines
    text = text[:length]
    while text and text[-1].isspace():
        text = text[:-1] + "x"
    return text


def strings(value: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every string in a JSON value, with its path (list positions as 0, as in a schema)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, sub in value.items():
            yield from strings(sub, (*path, key))
    elif isinstance(value, list):
        for sub in value:
            yield from strings(sub, (*path, 0))


def _template(app: FastAPI, method: str, url: str) -> str:
    path = httpx.URL(url).path
    for template, operations in app.openapi()["paths"].items():
        pattern = "^" + re.sub(r"{\w+}", "[^/]+", template) + "$"
        if method.lower() in operations and re.match(pattern, path):
            return template
    raise AssertionError(f"no route for {method} {path}")


@dataclass
class Recorder:
    """Sends requests to the services and remembers the text of every one accepted."""

    clients: dict[str, httpx.AsyncClient]
    apps: dict[str, FastAPI]
    sent: set[tuple[str, str, str, str]] = field(default_factory=set)

    async def send(self, service: str, method: str, url: str, *, headers: dict[str, str],
                   status: int, json: Any = None, data: dict[str, str] | None = None,
                   params: dict[str, str] | None = None) -> Any:
        response = await self.clients[service].request(method, url, headers=headers,
                                                        json=json, data=data, params=params)
        assert response.status_code == status, (method, url, response.text[:500])
        template = _template(self.apps[service], method, url)
        for where, values in (("body", json), ("body", data), ("query", params)):
            for path, _ in strings(values or {}):
                location = ".".join(str(p) for p in (where, *path))
                self.sent.add((service, method, template, location))
        return response.json() if response.content else None

    def missing(self, fields: list[TextField]) -> list[str]:
        return [f.name for f in fields
                if (f.service, f.method, f.template, f.location) not in self.sent]
