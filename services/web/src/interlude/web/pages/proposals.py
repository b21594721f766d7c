"""A coach proposes a contract: to one of the organisation's coachees (identity names them to
coaches, by name only), with a sponsor if there is one, every clause of the terms explained.
The coach signs it next on the contract's page, then the coachee."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlude.web import terms as terms_form
from interlude.web.deps import CoachDep, FormDep, WebDep
from interlude.web.pages.common import key_of, named, new_key, part, sent, text
from interlude.web.pages.contracts import CONSENTS
from interlude.web.sessions import Session

router = APIRouter(include_in_schema=False)
PAGE = "/contracts/new"


async def _page(request: Request, deps: WebDep, session: Session, *, status: int = 200,
                error: str | None = None, terms: dict[str, Any] | None = None,
                chosen: dict[str, str] | None = None) -> Response:
    coachees = await part(named(deps, session, "coachee"))
    sponsors = await part(named(deps, session, "sponsor"))
    return deps.pages.render(
        request, "coach/propose.html", session, status=status, title="Propose a contract",
        coachees=coachees, sponsors=sponsors, terms=terms or terms_form.NEW,
        chosen=chosen or {"coachee_id": "", "sponsor_id": ""}, error=error,
        modes=terms_form.MODES, sponsor_views=terms_form.SPONSOR_VIEWS, consents=CONSENTS,
        key=new_key())


@router.get(PAGE)
async def proposal(request: Request, deps: WebDep, session: CoachDep) -> Response:
    return await _page(request, deps, session)


@router.post(PAGE)
async def propose(request: Request, deps: WebDep, session: CoachDep,
                  form: FormDep) -> Response:
    chosen = {"coachee_id": text(form, "coachee_id", 64),
              "sponsor_id": text(form, "sponsor_id", 64)}
    terms = terms_form.proposed(form)
    body: dict[str, Any] = {"coachee_id": chosen["coachee_id"], "terms": terms}
    if chosen["sponsor_id"]:
        body["sponsor_id"] = chosen["sponsor_id"]

    async def again(status: int, error: str) -> Response:
        return await _page(request, deps, session, status=status, error=error, terms=terms,
                           chosen=chosen)

    if not chosen["coachee_id"]:
        return await again(400, "Choose the coachee you are proposing the contract to.")
    if wrong := terms_form.problem(terms):
        return await again(400, wrong)
    write = deps.upstream.call(session, "engagement", "POST", "/v1/contracts", json=body,
                               idempotency_key=key_of(form))
    return await sent(session, write, again=again,
                      back=lambda made: f"/contracts/{made['id']}",
                      done="The contract is proposed. Sign it below; it applies once everyone "
                           "named in it has signed it too.")
