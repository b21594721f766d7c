"""Walking every route of a service's API (as its OpenAPI document lists them): what a test needs
to call each one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import FastAPI

PARAM = re.compile(r"{(\w+)}")
INFRASTRUCTURE = {"/healthz", "/readyz", "/openapi.json", "/docs", "/docs/oauth2-redirect",
                  "/redoc"}


@dataclass(frozen=True)
class Call:
    method: str
    template: str
    takes_body: bool = False

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.template)

    def url(self, values: dict[str, str]) -> str:
        return PARAM.sub(lambda m: values.get(m.group(1), values["*"]), self.template)


def calls(app: FastAPI) -> list[Call]:
    """Every documented operation (the OpenAPI document is the list clients see)."""
    found: list[Call] = []
    for path, operations in app.openapi()["paths"].items():
        if path not in INFRASTRUCTURE:
            found.extend(Call(method.upper(), path, "requestBody" in operation)
                         for method, operation in sorted(operations.items()))
    return found
