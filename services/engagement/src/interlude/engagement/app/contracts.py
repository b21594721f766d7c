"""Contracts: propose, sign, amend, consents, end."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from interlude.engagement.app.deps import Engagement, Written
from interlude.engagement.domain import contract as domain
from interlude.engagement.domain.errors import Invalid, NotAllowed
from interlude.engagement.domain.terms import Consent, Terms
from interlude.engagement.projections import people
from interlude.shared.events.envelope import CommandContext
from interlude.shared.events.registry import Event


async def _require_role(deps: Engagement, tenant_id: str, user_id: str, role: str,
                        what: str) -> None:
    known = await people.person(deps.pool, tenant_id, user_id)
    if (known is None or known["status"] == "invited") and deps.people_caught_up is not None:
        # the people read model follows identity's stream: someone just invited or activated
        # may not be in it yet, so look again once it has seen identity's stream as it is now
        # (or the wait's bound has passed)
        await deps.people_caught_up()
        known = await people.person(deps.pool, tenant_id, user_id)
    if known is not None and known["status"] == "active" and role in known["roles"]:
        return
    raise Invalid(f"{what} {user_id} is not an active {role} of this organisation",
                  field=what)


async def _channels_allowed(deps: Engagement, ctx: CommandContext, terms: Terms, action: str,
                            contract_id: str) -> None:
    """Terms cannot agree a channel the organisation has switched off."""
    if terms.channels.messaging:
        await deps.enforce(ctx, "messaging.enabled", action, "contract", contract_id)
    if terms.channels.checkins:
        await deps.enforce(ctx, "checkins.enabled", action, "contract", contract_id)


async def propose(deps: Engagement, ctx: CommandContext, *, coachee_id: str,
                  sponsor_id: str | None, terms: Terms,
                  idempotency_key: str | None = None) -> Written:
    coach_id = ctx.actor.id
    if "coach" not in ctx.actor.roles:
        raise NotAllowed("only a coach proposes a contract")
    await _require_role(deps, ctx.tenant_id, coachee_id, "coachee", "coachee_id")
    if sponsor_id is not None:
        await _require_role(deps, ctx.tenant_id, sponsor_id, "sponsor", "sponsor_id")
    contract_id = deps.new_id(ctx, "contract", idempotency_key)
    await _channels_allowed(deps, ctx, terms, "propose_contract", contract_id)
    events = domain.propose(domain.Contract(), coach_id, coachee_id, sponsor_id, terms)

    async def claim(state: domain.Pairing) -> list[Event]:
        current_open = False
        if state.contract_id and state.contract_id != contract_id:
            current = (await deps.contracts.load(ctx.tenant_id, state.contract_id)).state
            current_open = current.status in ("proposed", "active")
        return domain.claim_pairing(state.contract_id, current_open, contract_id, coach_id,
                                    coachee_id)

    await deps.pairings.execute(ctx.tenant_id, f"{coach_id}_{coachee_id}", claim, ctx)
    position = await deps.contracts.execute_position(
        ctx.tenant_id, contract_id, lambda s: [] if s.exists else events, ctx, idempotency_key)
    return Written(contract_id, position)


async def on_contract(deps: Engagement, ctx: CommandContext, contract_id: str,
                      decide: Callable[[domain.Contract], Sequence[Event]],
                      idempotency_key: str | None = None) -> Written:
    position = await deps.contracts.execute_position(ctx.tenant_id, contract_id, decide, ctx,
                                                     idempotency_key)
    return Written(contract_id, position)


async def sign(deps: Engagement, ctx: CommandContext, contract_id: str,
               terms_version: int | None) -> Written:
    return await on_contract(deps, ctx, contract_id,
                      lambda s: domain.sign(s, ctx.actor.id, terms_version))


async def amend(deps: Engagement, ctx: CommandContext, contract_id: str, terms: Terms,
                idempotency_key: str | None = None) -> Written:
    await _channels_allowed(deps, ctx, terms, "amend_contract", contract_id)
    return await on_contract(deps, ctx, contract_id, lambda s: domain.amend(s, ctx.actor.id, terms),
                      idempotency_key)


async def set_consent(deps: Engagement, ctx: CommandContext, contract_id: str,
                      consent: Consent, given: bool) -> Written:
    return await on_contract(deps, ctx, contract_id,
                      lambda s: domain.set_consent(s, ctx.actor.id, consent, given))


async def end(deps: Engagement, ctx: CommandContext, contract_id: str,
              reason: str | None) -> Written:
    return await on_contract(deps, ctx, contract_id,
                             lambda s: domain.end(s, contract_id, ctx.actor.id, reason))
