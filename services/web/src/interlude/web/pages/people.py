"""The org admin's people: who is in the organisation with which roles; inviting someone (the
link to pass on until notify e-mails it), granting and revoking roles, deactivating."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlude.web.deps import AdminDep, FormDep, ItemId, WebDep
from interlude.web.pages.common import key_of, new_key, sent, text
from interlude.web.sessions import Session

router = APIRouter(include_in_schema=False)
PAGE = "/admin/people"
ROLES = {"coachee": "Coachee", "coach": "Coach", "sponsor": "Sponsor",
         "org_admin": "Administrator", "compliance_officer": "Compliance officer"}
# how a person came into the organisation (identity's word for it), as an admin says it
SOURCES = {"": "invited", "invitation": "invited", "registration": "set up the organisation",
           "seed": "demo data", "scim": "from your directory (SCIM)",
           "oidc": "through single sign-on"}


async def _page(request: Request, deps: WebDep, session: Session, *, status: int = 200,
                error: str | None = None, values: dict[str, Any] | None = None,
                at: str | None = None) -> Response:
    """The page; ``at``, the person whose change was refused (said in their entry, open)."""
    found = await deps.upstream.call(session, "identity", "GET",
                                     f"/v1/organisations/{session.tenant_id}/users",
                                     params={"limit": 500})
    people = sorted(found["users"], key=lambda u: (u["status"] != "active",
                                                   (u["display_name"] or "").lower()))
    return deps.pages.render(request, "admin/people.html", session, status=status,
                             title="People", people=people, total=found["total"], roles=ROLES,
                             sources=SOURCES, at=at,
                             error=error, key=new_key(),
                             values={"email": "", "name": "", "roles": []} | (values or {}))


@router.get(PAGE)
async def people(request: Request, deps: WebDep, session: AdminDep) -> Response:
    return await _page(request, deps, session)


async def _change(request: Request, deps: WebDep, session: Session, method: str, path: str,
                  body: dict[str, Any] | None, done: str | Callable[[Any], str],
                  key: str | None = None, values: dict[str, Any] | None = None,
                  at: str | None = None) -> Response:
    async def again(status: int, error: str) -> Response:
        return await _page(request, deps, session, status=status, error=error, values=values,
                           at=at)

    write = deps.upstream.call(session, "identity", method,
                               f"/v1/organisations/{session.tenant_id}{path}", json=body,
                               idempotency_key=key)
    return await sent(session, write, done=done, again=again, back=PAGE)


@router.post(PAGE)
async def invite(request: Request, deps: WebDep, session: AdminDep, form: FormDep) -> Response:
    values = {"email": text(form, "email", 320), "name": text(form, "name", 200),
              "roles": [r for r in form.getlist("roles") if r in ROLES]}
    if not values["roles"]:
        return await _page(request, deps, session, status=400, values=values,
                           error="Choose at least one role for the person you invite.")
    body = {"email": values["email"], "display_name": values["name"],
            "roles": values["roles"]}
    def invited(answer: dict[str, Any]) -> str:
        return (f"{values['name']} is invited. Until e-mails are sent, pass them this link "
                f"(it works once, until {answer['expires_at']}): {answer['accept_url']}")

    return await _change(request, deps, session, "POST", "/invitations", body, invited,
                         key_of(form), values)


@router.post(PAGE + "/{user_id}/roles")
async def grant(request: Request, user_id: ItemId, deps: WebDep, session: AdminDep,
                form: FormDep) -> Response:
    role = text(form, "role", 30)
    return await _change(request, deps, session, "POST", f"/users/{user_id}/roles",
                         {"role": role}, f"The role {ROLES.get(role, role).lower()} is "
                         "granted.", at=user_id)


@router.post(PAGE + "/{user_id}/roles/{role}/revocation")
async def revoke(request: Request, user_id: ItemId, role: str, deps: WebDep,
                 session: AdminDep, form: FormDep) -> Response:
    return await _change(request, deps, session, "DELETE", f"/users/{user_id}/roles/{role}",
                         None, f"The role {ROLES.get(role, role).lower()} is revoked.",
                         at=user_id)


@router.post(PAGE + "/{user_id}/invitation")
async def reinvite(request: Request, user_id: ItemId, deps: WebDep, session: AdminDep,
                   form: FormDep) -> Response:
    def invited(answer: dict[str, Any]) -> str:
        return (f"A new invitation link (the earlier one no longer works); until e-mails are "
                f"sent, pass it on (it works once, until {answer['expires_at']}): "
                f"{answer['accept_url']}")

    return await _change(request, deps, session, "POST", f"/users/{user_id}/invitation", None,
                         invited, key_of(form), at=user_id)


@router.post(PAGE + "/{user_id}/password-link")
async def password_link(request: Request, user_id: ItemId, deps: WebDep, session: AdminDep,
                        form: FormDep) -> Response:
    return await _change(request, deps, session, "POST", f"/users/{user_id}/password-reset",
                         None, "A link to choose a new password is on its way to their "
                         "e-mail address. It reaches them alone: you do not see it.",
                         at=user_id)


@router.post(PAGE + "/{user_id}/status")
async def status(request: Request, user_id: ItemId, deps: WebDep, session: AdminDep,
                 form: FormDep) -> Response:
    if text(form, "action", 12) == "reactivate":
        return await _change(request, deps, session, "POST", f"/users/{user_id}/reactivate",
                             None, "The account is active again.", at=user_id)
    return await _change(request, deps, session, "POST", f"/users/{user_id}/deactivate",
                         {"reason": text(form, "reason", 500)},
                         "The account is deactivated: every sign-in and token of it stopped "
                         "working at once.", at=user_id)
