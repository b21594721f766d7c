"""The org admin's sign-on settings: single sign-on through the organisation's own OpenID
Connect provider (and the address its people sign in at), and SCIM tokens for its directory
(Entra ID, Okta) to create and retire accounts. Both are identity's; web shows and sends."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlude.web.deps import AdminDep, FormDep, WebDep
from interlude.web.pages.common import sent, status_of, text
from interlude.web.pages.sso import sign_in_path
from interlude.web.sessions import Session
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import message

router = APIRouter(include_in_schema=False)
PAGE = "/admin/sign-on"
ROLES = (("coachee", "Coachee"), ("coach", "Coach"), ("sponsor", "Sponsor"))


def _org(session: Session) -> str:
    return f"/v1/organisations/{session.tenant_id}"


async def _page(request: Request, deps: WebDep, session: Session, *, status: int = 200,
                error: str | None = None, issued: dict[str, Any] | None = None,
                typed: dict[str, str] | None = None, at: str = "sso") -> Response:
    """The page; ``error`` said beside the form it is about (``at``: sso, scim-issue,
    scim-revoke), with what was typed there."""
    org = await deps.upstream.call(session, "identity", "GET", _org(session))
    sso = org.get("single_sign_on")
    return deps.pages.render(
        request, "admin/sign_on.html", session, status=status, title="Sign-on", org=org,
        sso=sso, error=error, issued=issued, roles=ROLES, typed=typed or {}, at=at,
        sign_in_at=str(request.base_url).rstrip("/") + sign_in_path(session.tenant_id),
        identity=deps.settings.identity_url.rstrip("/"))


@router.get(PAGE)
async def sign_on(request: Request, deps: WebDep, session: AdminDep) -> Response:
    return await _page(request, deps, session)


@router.post(PAGE + "/sso")
async def single_sign_on(request: Request, deps: WebDep, session: AdminDep,
                         form: FormDep) -> Response:
    typed = {name: text(form, name, 500) for name in ("issuer", "client_id", "domains")}
    body = {"issuer": typed["issuer"], "client_id": typed["client_id"],
            "client_secret": text(form, "client_secret", 500),
            "allowed_domains": [d.strip().lower() for d in typed["domains"].replace(
                ",", " ").split() if d.strip()],
            "default_roles": [r for r, _ in ROLES if form.get(f"role-{r}") == "yes"]}

    async def again(status: int, error: str) -> Response:
        return await _page(request, deps, session, status=status, error=error, typed=typed)

    write = deps.upstream.call(session, "identity", "PUT", f"{_org(session)}/sso", json=body)
    return await sent(session, write, back=PAGE, again=again,
                      done="Single sign-on is set up. Pass the sign-in address on to your "
                           "people.")


@router.post(PAGE + "/scim-tokens")
async def issue_scim_token(request: Request, deps: WebDep, session: AdminDep,
                           form: FormDep) -> Response:
    label = text(form, "label", 120)
    try:
        issued = await deps.upstream.call(session, "identity", "POST",
                                          f"{_org(session)}/scim-tokens", json={"label": label})
    except UpstreamProblem as problem:
        return await _page(request, deps, session, status=status_of(problem),
                           error=message(problem), typed={"label": label}, at="scim-issue")
    # shown once, on this answer only: never kept by web, never in a redirect's address
    return await _page(request, deps, session, issued={**issued, "label": label})


@router.post(PAGE + "/scim-tokens/revoke")
async def revoke_scim_token(request: Request, deps: WebDep, session: AdminDep,
                            form: FormDep) -> Response:
    token_id = text(form, "token_id", 64)

    async def again(status: int, error: str) -> Response:
        return await _page(request, deps, session, status=status, error=error,
                           typed={"token_id": token_id}, at="scim-revoke")

    async def revoked() -> Any:  # an id mistyped is said beside it, not as a missing page
        try:
            return await deps.upstream.call(session, "identity", "DELETE",
                                            f"{_org(session)}/scim-tokens/{token_id or '-'}")
        except UpstreamProblem as problem:
            if problem.status != 404:
                raise
            raise UpstreamProblem(400, "no-such-token", "no SCIM token of your organisation "
                                  "has this id: copy it from where the token was issued") \
                from None

    return await sent(session, revoked(), back=PAGE, again=again,
                      done="The SCIM token is revoked: your directory can no longer use it.")
