"""One-click unsubscribe (RFC 8058): the mail program posts ``List-Unsubscribe=One-Click`` to
the URL in the e-mail's ``List-Unsubscribe`` header. No sign-in: the signed token in the URL
says who stops which kind of e-mail. A GET (a link scanner, a preview) changes nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from interlude.notify.api.outbound_deps import OutboundDep
from interlude.notify.api.outbound_public import UnsubscribedPublic
from interlude.notify.app import preferences
from interlude.shared.kit import WRITE_PROBLEMS

router = APIRouter(prefix="/v1/notify", tags=["preferences"])
# the token is the credential: without one (or with a bad one) the answer is 401, as for a
# missing sign-in elsewhere
Token = Annotated[str | None, Query(max_length=600, description="from the e-mail's link")]


@router.post("/unsubscribe", response_model=UnsubscribedPublic, responses=WRITE_PROBLEMS)
async def unsubscribe(deps: OutboundDep, token: Token = None) -> dict[str, Any]:
    """Stop e-mails of the kind the link names (or all): the preference becomes never."""
    written, kind = await preferences.unsubscribe(deps, token or "")
    return {"kind": kind, "timing": "never", "position": written.position}
