"""The sponsor's reads: programme figures, and how one contract is going, each no more than
the contracts' sponsor views and the k-anonymity rule of :mod:`domain.sponsor` allow."""

from __future__ import annotations

from typing import Any

from interlude.engagement.app.deps import Engagement
from interlude.engagement.domain.contract import Contract
from interlude.engagement.domain.sponsor import MIN_GROUP, contract_figures, figures_of
from interlude.engagement.projections import queries
from interlude.shared.events.envelope import CommandContext

REPORTS = "sponsor_reports.enabled"


async def sponsor_figures(deps: Engagement, ctx: CommandContext) -> dict[str, Any]:
    await deps.enforce(ctx, REPORTS, "read", "sponsor_report", ctx.actor.id)
    return {"programmes": [figures_of(row.pop("programme"), row) for row in
                           await queries.sponsor_programmes(deps.pool, ctx.tenant_id,
                                                            ctx.actor.id)],
            "minimum_group": MIN_GROUP}


async def contract_seen_by_sponsor(deps: Engagement, ctx: CommandContext, contract_id: str,
                                   contract: Contract) -> dict[str, Any]:
    """What the sponsor sees of how a contract is going (``figures``), beside the terms they
    signed: nothing under sponsor view ``none``, nothing while the organisation has switched
    sponsor reports off (the block is named, as on the dashboard; the contract itself stays
    readable, the sponsor signs it), and nothing a suppressed programme figure hides."""
    policy = deps.policy.policy(ctx.tenant_id)
    if policy is None or not policy.value(REPORTS):  # an unknown policy allows nothing
        return {"figures": None, "blocked": [REPORTS]}
    if contract.terms is None:  # not active yet: nothing has happened
        return {"figures": None, "blocked": []}
    programme = [row for row in await queries.sponsor_contracts(deps.pool, ctx.tenant_id,
                                                                ctx.actor.id)
                 if row["programme"] == contract.terms.programme]
    own = next((row for row in programme if row["contract_id"] == contract_id), None)
    sessions = {"planned": contract.terms.sessions.count, "held": contract.held,
                "scheduled": contract.upcoming}
    return {"figures": contract_figures(contract.terms.sponsor_view, own, programme, sessions),
            "blocked": []}
