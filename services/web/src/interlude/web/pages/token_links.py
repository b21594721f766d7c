"""A page reached through a link identity made for one person (``tenant.user.secret``: an
invitation, a password link): it says whether the link still works, and its form chooses a
password (typed twice) and signs the person in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import Response

from interlude.web.deps import FormDep, WebDep
from interlude.web.pages.public import welcomed
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

Token = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{10,200}$")]  # tenant.user.secret
DIFFER = "The two passwords differ; please type the same one twice."


def typed_twice(form: FormDep, name: str) -> tuple[str, str | None]:
    """The new password typed twice, and the problem when the two differ."""
    password, again = str(form.get(name) or ""), str(form.get("again") or "")
    return password, (DIFFER if password != again else None)


@dataclass(frozen=True)
class TokenLink:
    kind: str  # identity's paths: /v1/<kind>/<token>, /v1/<kind>/accept
    template: str
    title: str
    gone: str  # what a link used, replaced or expired says

    async def page(self, request: Request, deps: WebDep, token: str, *, status: int = 200,
                   error: str | None = None) -> Response:
        try:
            found = await deps.upstream.anonymous("identity", "GET", f"/v1/{self.kind}/{token}")
        except UpstreamProblem as problem:
            if problem.status not in (404, 410, 422):
                raise
            return deps.pages.render(request, "error.html", None, status=410,
                                     title="This link no longer works", message=self.gone)
        return deps.pages.render(request, self.template, None, status=status,
                                 title=self.title, organisation=found["organisation"],
                                 token=token, error=error)

    async def accept(self, request: Request, deps: WebDep, token: str,
                     form: FormDep) -> Response:
        password, differ = typed_twice(form, "password")
        if differ:
            return await self.page(request, deps, token, status=400, error=differ)
        try:
            tokens = await deps.upstream.anonymous(
                "identity", "POST", f"/v1/{self.kind}/accept",
                json={"token": token, "password": password})
        except UpstreamProblem as problem:
            if problem.status in (404, 410):
                return await self.page(request, deps, token)
            return await self.page(request, deps, token, status=400, error=message(problem))
        return await welcomed(request, deps, tokens)
