"""The coach's dashboard: facts, never content, and only those the organisation allows."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from interlude.engagement.app.deps import Engagement
from interlude.engagement.domain.attention import CheckIns, Facts, Messages, attention, overdue
from interlude.engagement.projections import queries
from interlude.shared.events.envelope import CommandContext
from interlude.shared.projections.sealed import reveal

FORMER = "former coachee"
RECENT_INSIGHTS = 3
CHECKINS, MESSAGING, COMMUNITY = "checkins.enabled", "messaging.enabled", "community.enabled"
MATERIALS = "materials.enabled"
GOVERNED = (CHECKINS, MESSAGING, COMMUNITY, MATERIALS)  # the blocks whose facts it shows

Row = dict[str, Any]


def _streak(row: Row, today: Any) -> int:
    day = row["last_checkin_day"]
    return row["streak"] if day is not None and (today - day).days <= 1 else 0


def _checkins(row: Row, ctx: CommandContext) -> tuple[CheckIns, Row]:
    facts = CheckIns(row["last_checkin_at"], row["checkins_unacknowledged"], row["last_mood"])
    return facts, {
        "checkins": row["checkins"], "last_checkin_at": row["last_checkin_at"],
        "streak": _streak(row, ctx.now.date()), "small_wins": row["small_wins"],
        "last_mood": row["last_mood"], "checkins_unacknowledged": row["checkins_unacknowledged"]}


def _messages(row: Row, ctx: CommandContext) -> tuple[Messages, Row]:
    facts = Messages(row["unanswered"], row["oldest_waiting_at"], row["reply_window_hours"])
    return facts, {"unanswered": row["unanswered"], "oldest_waiting_at": row["oldest_waiting_at"],
                   "reply_overdue": overdue(facts, ctx.now)}


def _row(row: Row, ctx: CommandContext, blocked: list[str]) -> Row:
    """One coachee's line, built only from the facts the organisation allows: a blocked
    feature's facts are neither shown nor counted in the score and its reasons."""
    item: Row = {
        "contract_id": row["contract_id"], "coachee_id": row["coachee_id"],
        "coachee_name": row["display_name"] or FORMER,
        "sessions": {"planned": row["sessions_planned"], "held": row["sessions_held"],
                     "next_at": row["next_session_at"]},
        "goals_open": row["goals_open"], "experiments_open": row["experiments_open"]}
    checkins = messages = None
    if CHECKINS not in blocked:
        checkins, shown = _checkins(row, ctx)
        item |= shown
    if MESSAGING not in blocked:
        messages, shown = _messages(row, ctx)
        item |= shown
    if COMMUNITY not in blocked:
        item |= {"community_this_week": row["community_this_week"],
                 "insights_pinned": max(row["insights_pinned"], 0)}
    if MATERIALS not in blocked:
        item["materials"] = {"shared": row["materials_shared"],
                             "opened": row["materials_opened"], "done": row["materials_done"]}
    item["attention"], item["reasons"] = attention(
        Facts(row["sessions_planned"], row["sessions_held"], row["next_session_at"],
              messages=messages, checkins=checkins), ctx.now)
    return item


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


async def dashboard(deps: Engagement, ctx: CommandContext) -> dict[str, Any]:
    """Per coachee of the calling coach, most in need of attention first. The policy is read
    now, not when the facts were projected: a feature the organisation switched off leaves
    its facts out of every line, score and reasons included, and the block is named."""
    policy = deps.policy.policy(ctx.tenant_id)
    if policy is None:  # no known policy: refused (and recorded) like any blocked feature
        policy = await deps.enforce(ctx, CHECKINS, "read", "dashboard", ctx.actor.id)
    blocked = [key for key in GOVERNED if not policy.value(key)]
    rows = [_row(r, ctx, blocked) for r in await queries.dashboard(
        deps.pool, ctx.tenant_id, ctx.actor.id, ctx.now, deps.sealer)]
    if COMMUNITY not in blocked:  # pinned insights and the coach's notes are community's
        await _with_insights(deps, ctx, rows)
    rows.sort(key=lambda r: (-r["attention"], r["coachee_name"], r["contract_id"]))
    return {"coachees": rows, "blocked": blocked, "as_of": ctx.now}
