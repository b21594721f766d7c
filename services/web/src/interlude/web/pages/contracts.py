"""A contract as its parties read it, every clause explained; signing it; the coachee's
consents, each given or withdrawn with one click."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from interlude.web import terms as terms_form
from interlude.web.deps import ContractId, FormDep, SessionDep, WebDep
from interlude.web.pages.common import key_of, new_key, sent, text
from interlude.web.sessions import Session
from interlude.web.upstream import UpstreamProblem

router = APIRouter(include_in_schema=False)
CONSENTS = {
    "pin_insights": ("Pinning my posts", "Your coach may pin a post of yours in the cohort as "
                     "a key insight, and keep it on your record."),
    "peer_tagging": ("Being tagged by peers", "People in your cohort may tag you in their "
                     "posts (under your pseudonym)."),
    "share_posts": ("Sharing my posts", "Your posts may be shared to other spaces of the "
                    "programme."),
    "counted_when_quiet": ("Being counted when I read quietly", "My coach may see that I "
                           "read the cohort without posting (when I last read, never what "
                           "I read)."),
}
SPONSOR_VIEWS = {"none": "nothing about your coaching",
                 "attendance": "how many sessions were planned and held, never what was said",
                 "goals": "sessions held, and how many goals were set and achieved (never "
                          "what they are)"}


@router.get("/contracts/{contract_id}")
async def contract(request: Request, contract_id: ContractId, deps: WebDep,
                   session: SessionDep) -> Response:
    found = await deps.upstream.call(session, "engagement", "GET",
                                     f"/v1/contracts/{contract_id}")
    return deps.pages.render(request, "contract.html", session, title="Contract",
                             contract=found, consents=CONSENTS, sponsor_views=SPONSOR_VIEWS)


async def _terms_page(request: Request, deps: WebDep, session: Session, contract_id: str, *,
                      status: int = 200, error: str | None = None,
                      typed: dict[str, Any] | None = None) -> Response:
    """The terms to change: as they stand, or as typed in a form that was refused."""
    found = await deps.upstream.call(session, "engagement", "GET",
                                     f"/v1/contracts/{contract_id}")
    if found["your_part"] not in ("coach", "coachee") or found["status"] == "ended":
        raise UpstreamProblem(404, "not-found", "no terms to change")
    return deps.pages.render(request, "amend.html", session, status=status,
                             title="Propose new terms", contract=found,
                             terms=typed or found["pending_terms"] or found["terms"],
                             error=error,
                             modes=terms_form.MODES, sponsor_views=terms_form.SPONSOR_VIEWS,
                             key=new_key())


@router.get("/contracts/{contract_id}/amendment")
async def amendment(request: Request, contract_id: ContractId, deps: WebDep,
                    session: SessionDep) -> Response:
    return await _terms_page(request, deps, session, contract_id)


@router.post("/contracts/{contract_id}/amendment")
async def amend(request: Request, contract_id: ContractId, deps: WebDep, session: SessionDep,
                form: FormDep) -> Response:
    current = await deps.upstream.call(session, "engagement", "GET",
                                       f"/v1/contracts/{contract_id}")
    terms = terms_form.from_form(form, current["pending_terms"] or current["terms"])

    async def again(status: int, error: str) -> Response:  # what they typed stays
        return await _terms_page(request, deps, session, contract_id, status=status,
                                 error=error, typed=terms)

    if wrong := terms_form.problem(terms):
        return await again(400, wrong)
    write = deps.upstream.call(session, "engagement", "POST",
                               f"/v1/contracts/{contract_id}/amendments", json={"terms": terms},
                               idempotency_key=key_of(form))
    return await sent(session, write, again=again, back=f"/contracts/{contract_id}",
                      done="The new terms are proposed. Sign them below; they apply once "
                           "both of you have signed, and until then the current terms stay "
                           "in force.")


@router.post("/contracts/{contract_id}/consents/{consent}")
async def consent(request: Request, contract_id: ContractId, consent: str, deps: WebDep,
                  session: SessionDep, form: FormDep) -> Response:
    if consent not in CONSENTS:
        raise UpstreamProblem(404, "not-found", "no such consent")
    give = text(form, "action", 10) == "give"
    await deps.upstream.call(session, "engagement", "PUT" if give else "DELETE",
                             f"/v1/contracts/{contract_id}/consents/{consent}")
    named = CONSENTS[consent][0]
    label = named[:1].lower() + named[1:]
    session.flash.append(f"Consent given: {label}." if give else
                         f"Consent withdrawn: {label}. It takes effect now.")
    return RedirectResponse(f"/contracts/{contract_id}", status_code=303)


@router.post("/contracts/{contract_id}/signature")
async def sign(request: Request, contract_id: ContractId, deps: WebDep, session: SessionDep,
               form: FormDep) -> Response:
    version = text(form, "terms_version", 6)
    body = {"terms_version": int(version)} if version.isdigit() else {}
    await deps.upstream.call(session, "engagement", "POST",
                             f"/v1/contracts/{contract_id}/signatures", json=body)
    session.flash.append("You have signed the contract.")
    return RedirectResponse(f"/contracts/{contract_id}", status_code=303)
