"""Reading a contract's coaching content: only its coach and coachee, within the channels the
contract agreed and the organisation allows; every read leaves an access event."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from interlude.engagement.app.deps import Engagement
from interlude.engagement.app.sponsor import contract_seen_by_sponsor
from interlude.engagement.domain.checkin import require_channel
from interlude.engagement.domain.contract import Contract, content_party, party_of
from interlude.engagement.domain.thread import allowance_status
from interlude.engagement.projections import queries
from interlude.shared.errors import NotFound
from interlude.shared.events.envelope import CommandContext
from interlude.shared.projections.sealed import reveal


async def _content(deps: Engagement, ctx: CommandContext, contract_id: str,
                   key: str | None, resource_type: str) -> Contract:
    if key is not None:
        await deps.enforce(ctx, key, "read", resource_type, contract_id)
    contract = await deps.contract(ctx.tenant_id, contract_id)
    try:
        content_party(contract, ctx.actor.id)
    except NotFound:
        if contract.exists:  # someone of the organisation tried: the coachee will see it
            await deps.record_refused(ctx, resource_type, contract_id, contract.coachee_id,
                                      "not a party to the contract")
        raise
    return contract


def _agreed(contract_id: str, contract: Contract, party: str) -> dict[str, Any]:
    """What every party sees of the contract itself: parties, terms, signatures."""
    return {
        "id": contract_id, "status": contract.status, "your_part": party,
        "coach_id": contract.coach_id, "coachee_id": contract.coachee_id,
        "sponsor_id": contract.sponsor_id,
        "terms": contract.terms.model_dump(mode="json") if contract.terms else None,
        "terms_version": contract.terms_version,
        "pending_terms": contract.pending.model_dump(mode="json") if contract.pending else None,
        "pending_version": contract.pending_version if contract.pending else None,
        "signed_by": list(contract.signed_by),
        "awaiting_signature_from": [p for p in contract.parties if p not in contract.signed_by]
        if contract.pending else [],
    }


async def contracts_of(deps: Engagement, ctx: CommandContext) -> list[dict[str, Any]]:
    """The caller's contracts, as coach, coachee or sponsor: terms, never content."""
    rows = await queries.contracts_of(deps.pool, ctx.tenant_id, ctx.actor.id)
    return [{"id": r["contract_id"], "status": r["status"], "programme": r["programme"],
             "coach_id": r["coach_id"], "coachee_id": r["coachee_id"],
             "sponsor_id": r["sponsor_id"], "terms_version": r["terms_version"],
             "pending_version": r["pending_version"], "proposed_at": r["proposed_at"],
             "activated_at": r["activated_at"], "ended_at": r["ended_at"]} for r in rows]


async def sessions(deps: Engagement, ctx: CommandContext, contract_id: str) -> dict[str, Any]:
    """Every session of the contract, and the plan: for its coach and its coachee."""
    contract = await _content(deps, ctx, contract_id, None, "sessions")
    plan = contract.terms.sessions if contract.terms else None
    return {"planned": plan.count if plan else None, "held": contract.held,
            "scheduled": contract.upcoming,
            "sessions": [{"id": s.session_id, "starts_at": s.starts_at, "minutes": s.minutes,
                          "mode": s.mode, "status": s.status, "cancelled_by": s.cancelled_by}
                         for s in sorted(contract.sessions, key=lambda s: s.starts_at)]}


async def contract_view(deps: Engagement, ctx: CommandContext,
                        contract_id: str) -> dict[str, Any]:
    """The contract as the caller sees it: the coach and the coachee also its consents and
    sessions; the sponsor only what their sponsor view allows (``app.sponsor``)."""
    contract = await deps.contract(ctx.tenant_id, contract_id)
    party = party_of(contract, ctx.actor.id)
    seen = _agreed(contract_id, contract, party)
    if party == "sponsor":
        return seen | await contract_seen_by_sponsor(deps, ctx, contract_id, contract)
    return seen | {
        "consents": contract.consents.model_dump(),
        "sessions": {"planned": contract.terms.sessions.count if contract.terms else None,
                     "held": contract.held, "scheduled": contract.upcoming}}


async def check_ins(deps: Engagement, ctx: CommandContext, contract_id: str, limit: int,
                    before: datetime | None) -> list[dict[str, Any]]:
    contract = await _content(deps, ctx, contract_id, "checkins.enabled", "checkins")
    require_channel(contract, "checkins")
    rows = await queries.checkins(deps.pool, ctx.tenant_id, contract_id, limit, before)
    items = []
    for row in rows:
        questions = json.loads(row["questions"])
        items.append({
            "id": row["checkin_id"], "posted_at": row["posted_at"], "mood": row["mood"],
            "small_win": row["small_win"], "goal_id": row["goal_id"],
            "experiment_id": row["experiment_id"], "liked": row["liked"],
            "text": await reveal(deps.sealer, ctx.tenant_id, row["text"]),
            "questions": [{"at": q["at"], "text": await reveal(deps.sealer, ctx.tenant_id,
                                                                q["sealed"])}
                          for q in questions]})
    await deps.record_read(ctx, "checkins", contract_id, contract.coachee_id)
    return items


async def messages(deps: Engagement, ctx: CommandContext, contract_id: str, after: int,
                   limit: int) -> dict[str, Any]:
    contract = await _content(deps, ctx, contract_id, "messaging.enabled", "thread")
    require_channel(contract, "messaging")
    assert contract.terms is not None
    rows, reads = await queries.messages(deps.pool, ctx.tenant_id, contract_id, after, limit)
    thread = (await deps.threads.load(ctx.tenant_id, contract_id)).state
    waiting, since = await queries.oldest_unanswered(deps.pool, ctx.tenant_id, contract_id)
    window = timedelta(hours=contract.terms.allowance.reply_window_hours)
    items = [{"number": r["number"], "id": r["message_id"], "sender_id": r["sender_id"],
              "party": r["party"], "sent_at": r["sent_at"],
              "body": await reveal(deps.sealer, ctx.tenant_id, r["body"]),
              "attachments": json.loads(r["attachments"]), "billable": r["billable"],
              "read_by_other": reads.get("coachee" if r["party"] == "coach" else "coach", 0)
              >= r["number"]} for r in rows]
    await deps.record_read(ctx, "messages", contract_id, contract.coachee_id)
    quiet = contract.terms.quiet_hours
    return {"messages": items, "read_up_to": reads,
            "quiet_hours": quiet.model_dump(mode="json") | {"now": quiet.contains(ctx.now)}
            if quiet else None,
            "allowance": allowance_status(contract.terms.allowance, thread, ctx.now),
            "awaiting_reply": {"count": waiting, "since": since,
                               "reply_due_by": since + window if since else None,
                               "overdue": bool(since and ctx.now - since > window)}}


async def goals(deps: Engagement, ctx: CommandContext, contract_id: str) -> dict[str, Any]:
    contract = await _content(deps, ctx, contract_id, None, "goals")
    goal_rows = await queries.goals(deps.pool, ctx.tenant_id, contract_id)
    experiment_rows = await queries.experiments(deps.pool, ctx.tenant_id, contract_id)
    tenant, sealer = ctx.tenant_id, deps.sealer
    result = {
        "goals": [{"id": g["goal_id"], "title": await reveal(sealer, tenant, g["title"]),
                   "status": g["status"], "progress": g["progress"], "set_at": g["set_at"],
                   "notes": [{"at": n["at"], "progress": n["progress"],
                              "text": await reveal(sealer, tenant, n["sealed"])}
                             for n in json.loads(g["notes"])]} for g in goal_rows],
        "experiments": [{
            "id": e["experiment_id"], "goal_id": e["goal_id"], "planned_at": e["planned_at"],
            "belief": await reveal(sealer, tenant, e["belief"]),
            "behaviour": await reveal(sealer, tenant, e["behaviour"]),
            "result": await reveal(sealer, tenant, e["result"]),
            "learning": await reveal(sealer, tenant, e["learning"]),
            "reported_at": e["reported_at"]} for e in experiment_rows]}
    await deps.record_read(ctx, "goals", contract_id, contract.coachee_id)
    return result
