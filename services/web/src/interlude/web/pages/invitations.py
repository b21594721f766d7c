"""An invitation's link (identity sends people to ``/invitations/<token>``): the person
chooses a password and is signed in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlude.web.deps import FormDep, WebDep
from interlude.web.pages.token_links import Token, TokenLink

router = APIRouter(include_in_schema=False)
INVITATION = TokenLink(
    "invitations", "invitation.html", "Welcome",
    "This invitation link was already used or has expired. If you have set your password, "
    "sign in; otherwise ask your organisation's administrator for a new invitation.")


@router.get("/invitations/{token}")
async def invitation(request: Request, token: Token, deps: WebDep) -> Response:
    return await INVITATION.page(request, deps, token)


@router.post("/invitations/{token}")
async def accept(request: Request, token: Token, deps: WebDep, form: FormDep) -> Response:
    return await INVITATION.accept(request, deps, token, form)
