"""The coach's dashboard and the sponsor's programme figures: facts, never content."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from interlude.engagement.app.deps import Engagement
from interlude.engagement.domain.attention import Facts, attention, overdue
from interlude.engagement.projections import queries
from interlude.shared.events.envelope import CommandContext
from interlude.shared.policy import SecurityPolicy
from interlude.shared.projections.sealed import reveal

MIN_GROUP = 5  # a figure over fewer people could identify them: it is suppressed
FORMER = "former coachee"
RECENT_INSIGHTS = 3
CHECKIN_FIELDS = ("checkins", "last_checkin_at", "streak", "small_wins", "last_mood",
                  "checkins_unacknowledged")
MESSAGE_FIELDS = ("unanswered", "oldest_waiting_at", "reply_overdue")


def _streak(row: dict[str, Any], today: Any) -> int:
    day = row["last_checkin_day"]
    return row["streak"] if day is not None and (today - day).days <= 1 else 0


def _row(row: dict[str, Any], ctx: CommandContext) -> dict[str, Any]:
    facts = Facts(row["unanswered"], row["oldest_waiting_at"], row["reply_window_hours"],
                  row["last_checkin_at"], row["checkins_unacknowledged"],
                  row["sessions_planned"], row["sessions_held"], row["next_session_at"],
                  row["last_mood"])
    score, reasons = attention(facts, ctx.now)
    return {
        "contract_id": row["contract_id"], "coachee_id": row["coachee_id"],
        "coachee_name": row["display_name"] or FORMER,
        "attention": score, "reasons": reasons,
        "checkins": row["checkins"], "last_checkin_at": row["last_checkin_at"],
        "streak": _streak(row, ctx.now.date()), "small_wins": row["small_wins"],
        "last_mood": row["last_mood"], "checkins_unacknowledged": row["checkins_unacknowledged"],
        "unanswered": row["unanswered"], "oldest_waiting_at": row["oldest_waiting_at"],
        "reply_overdue": overdue(facts, ctx.now),
        "sessions": {"planned": row["sessions_planned"], "held": row["sessions_held"],
                     "next_at": row["next_session_at"]},
        "goals_open": row["goals_open"], "experiments_open": row["experiments_open"],
        "community_this_week": row["community_this_week"],
        "insights_pinned": max(row["insights_pinned"], 0),
    }


async def _with_insights(deps: Engagement, ctx: CommandContext,
                         rows: list[dict[str, Any]]) -> None:
    """Each coachee's record gets the latest insights the coach pinned of theirs, with the
    coach's note (opened for the coach who wrote it)."""
    by_coachee: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for pin in await queries.insights(deps.pool, ctx.tenant_id, ctx.actor.id):
        if len(by_coachee[pin["user_id"]]) < RECENT_INSIGHTS:
            by_coachee[pin["user_id"]].append(
                {"post_id": pin["post_id"], "space_id": pin["space_id"],
                 "pinned_at": pin["pinned_at"],
                 "note": await reveal(deps.sealer, ctx.tenant_id, pin["note"])})
    for item in rows:
        item["recent_insights"] = by_coachee.get(item["coachee_id"], [])


def _hidden(policy: SecurityPolicy) -> list[str]:
    return [key for key in ("checkins.enabled", "messaging.enabled") if not policy.value(key)]


async def dashboard(deps: Engagement, ctx: CommandContext) -> dict[str, Any]:
    """Per coachee of the calling coach, most in need of attention first. Facts of a feature
    the organisation switched off are left out, and the block is named."""
    policy = deps.policy.policy(ctx.tenant_id)
    if policy is None:  # no known policy: refused (and recorded) like any blocked feature
        policy = await deps.enforce(ctx, "checkins.enabled", "read", "dashboard", ctx.actor.id)
    rows = [_row(r, ctx) for r in await queries.dashboard(deps.pool, ctx.tenant_id,
                                                           ctx.actor.id, ctx.now, deps.sealer)]
    await _with_insights(deps, ctx, rows)
    hidden = _hidden(policy)
    for item in rows:
        if "checkins.enabled" in hidden:
            for name in CHECKIN_FIELDS:
                item.pop(name)
        if "messaging.enabled" in hidden:
            for name in MESSAGE_FIELDS:
                item.pop(name)
    rows.sort(key=lambda r: (-r["attention"], r["coachee_name"], r["contract_id"]))
    return {"coachees": rows, "blocked": hidden, "as_of": ctx.now}


def _programme(name: str, contracts: list[dict[str, Any]]) -> dict[str, Any]:
    people = {c["coachee_id"] for c in contracts}
    if len(people) < MIN_GROUP:
        return {"programme": name, "suppressed": True,
                "reason": f"fewer than {MIN_GROUP} people: figures could identify them"}
    held = sum(c["sessions_held"] for c in contracts)
    missed = sum(c["sessions_missed"] for c in contracts)
    figures: dict[str, Any] = {
        "programme": name, "suppressed": False, "people": len(people),
        "contracts_active": sum(1 for c in contracts if c["status"] == "active"),
        "sessions_planned": sum(c["sessions_planned"] for c in contracts),
        "sessions_held": held,
        "attendance": round(held / (held + missed), 3) if held + missed else None}
    with_goals = [c for c in contracts if c["sponsor_view"] == "goals"]
    if len({c["coachee_id"] for c in with_goals}) >= MIN_GROUP:
        figures["goals"] = {"set": sum(c["goals_set"] for c in with_goals),
                            "achieved": sum(c["goals_achieved"] for c in with_goals)}
    else:
        figures["goals"] = None  # too few contracts show goals to their sponsor
    return figures


async def sponsor_figures(deps: Engagement, ctx: CommandContext) -> dict[str, Any]:
    await deps.enforce(ctx, "sponsor_reports.enabled", "read", "sponsor_report", ctx.actor.id)
    by_programme: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in await queries.sponsor_contracts(deps.pool, ctx.tenant_id, ctx.actor.id):
        by_programme[row["programme"]].append(row)
    return {"programmes": [_programme(name, rows) for name, rows in sorted(by_programme.items())],
            "minimum_group": MIN_GROUP}
