"""Contracts: propose, read, sign, amend, consents, end."""

from __future__ import annotations

from fastapi import APIRouter, Request

from interlude.engagement.api.deps import (
    READS,
    WRITES,
    After,
    CoachDep,
    ContextDep,
    ContractId,
    EngagementDep,
    IdempotencyKey,
    caught_up,
)
from interlude.engagement.api.public import ContractPublic, ContractsPublic, answer
from interlude.engagement.api.schemas import (
    ContractAmend,
    ContractCreate,
    Ending,
    Signature,
)
from interlude.engagement.app import contracts, reads
from interlude.engagement.domain.terms import Consent
from interlude.shared.kit import WrittenPublic

router = APIRouter(prefix="/v1/contracts", tags=["contracts"])


@router.post("", status_code=201, responses=WRITES)
async def propose(body: ContractCreate, coach: CoachDep, ctx: ContextDep, deps: EngagementDep,
                  key: IdempotencyKey = None) -> WrittenPublic:
    """A coach proposes a contract to a coachee of the organisation (with a sponsor, if any).
    It becomes active once every party has signed it."""
    written = await contracts.propose(deps, ctx, coachee_id=body.coachee_id,
                                      sponsor_id=body.sponsor_id, terms=body.terms,
                                      idempotency_key=key)
    return WrittenPublic.of(written)


@router.get("", responses=READS)
async def mine(ctx: ContextDep, deps: EngagementDep, request: Request,
               after: After = 0) -> ContractsPublic:
    """The caller's contracts, as coach, coachee or sponsor."""
    fresh = await caught_up(request, after)
    return answer(ContractsPublic, {"contracts": await reads.contracts_of(deps, ctx)}, fresh)


@router.get("/{contract_id}", response_model=ContractPublic, response_model_exclude_unset=True,
            responses=READS)
async def read(contract_id: ContractId, ctx: ContextDep, deps: EngagementDep, request: Request,
               after: After = 0) -> ContractPublic:
    """The contract as its parties see it: terms and signatures; the coach and the coachee
    also its consents and sessions; the sponsor, in ``figures``, only what the contract's
    sponsor view allows and never what the programme's figures suppress (under five people)."""
    fresh = await caught_up(request, after)  # the sponsor's figures come from a read model
    return answer(ContractPublic, await reads.contract_view(deps, ctx, contract_id), fresh)


@router.post("/{contract_id}/signatures", responses=WRITES)
async def sign(contract_id: ContractId, body: Signature, ctx: ContextDep,
               deps: EngagementDep) -> WrittenPublic:
    """Sign the terms awaiting signatures; the last party's signature makes them active."""
    written = await contracts.sign(deps, ctx, contract_id, body.terms_version)
    return WrittenPublic.of(written)


@router.post("/{contract_id}/amendments", status_code=201, responses=WRITES)
async def amend(contract_id: ContractId, body: ContractAmend, ctx: ContextDep,
                deps: EngagementDep, key: IdempotencyKey = None) -> WrittenPublic:
    """Propose new terms; the current ones stay in force until every party signs."""
    written = await contracts.amend(deps, ctx, contract_id, body.terms, key)
    return WrittenPublic.of(written)


@router.put("/{contract_id}/consents/{consent}", responses=WRITES)
async def give_consent(contract_id: ContractId, consent: Consent, ctx: ContextDep,
                       deps: EngagementDep) -> WrittenPublic:
    """The coachee gives a consent (effective at once)."""
    written = await contracts.set_consent(deps, ctx, contract_id, consent, True)
    return WrittenPublic.of(written)


@router.delete("/{contract_id}/consents/{consent}", responses=WRITES)
async def withdraw_consent(contract_id: ContractId, consent: Consent, ctx: ContextDep,
                           deps: EngagementDep) -> WrittenPublic:
    """The coachee withdraws a consent, at any time, effective at once."""
    written = await contracts.set_consent(deps, ctx, contract_id, consent, False)
    return WrittenPublic.of(written)


@router.post("/{contract_id}/ending", responses=WRITES)
async def end(contract_id: ContractId, body: Ending, ctx: ContextDep,
              deps: EngagementDep) -> WrittenPublic:
    """The coach or the coachee ends the contract (a proposal ended is declined)."""
    written = await contracts.end(deps, ctx, contract_id, body.reason)
    return WrittenPublic.of(written)
