"""The coach's dashboard: facts, never content, and only those the organisation allows."""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from interlude.engagement.app.deps import Engagement
from interlude.engagement.domain.attention import CheckIns, Facts, Messages, attention, overdue
from interlude.engagement.domain.errors import BadCursor, NotFound
from interlude.engagement.projections import dashboard_page as page_of
from interlude.shared import directory
from interlude.shared.events.envelope import CommandContext
from interlude.shared.projections.sealed import reveal

FORMER = "former coachee"
RECENT_INSIGHTS = 3
CHECKINS, MESSAGING, COMMUNITY = "checkins.enabled", "messaging.enabled", "community.enabled"
MATERIALS = "materials.enabled"
GOVERNED = (CHECKINS, MESSAGING, COMMUNITY, MATERIALS)  # the blocks whose facts it shows

Row = dict[str, Any]


def _streak(row: Row, today: date) -> int:
    day = row["last_checkin_day"]
    return row["streak"] if day is not None and (today - day).days <= 1 else 0


def _checkins(row: Row, now: datetime) -> tuple[CheckIns, Row]:
    facts = CheckIns(row["last_checkin_at"], row["checkins_unacknowledged"], row["last_mood"])
    return facts, {
        "checkins": row["checkins"], "last_checkin_at": row["last_checkin_at"],
        "streak": _streak(row, now.date()), "small_wins": row["small_wins"],
        "last_mood": row["last_mood"], "checkins_unacknowledged": row["checkins_unacknowledged"]}


def _messages(row: Row, now: datetime) -> tuple[Messages, Row]:
    facts = Messages(row["unanswered"], row["oldest_waiting_at"], row["reply_window_hours"])
    return facts, {"unanswered": row["unanswered"], "oldest_waiting_at": row["oldest_waiting_at"],
                   "reply_overdue": overdue(facts, now)}


def _row(row: Row, now: datetime, blocked: list[str]) -> Row:
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
        checkins, shown = _checkins(row, now)
        item |= shown
    if MESSAGING not in blocked:
        messages, shown = _messages(row, now)
        item |= shown
    if COMMUNITY not in blocked:
        item |= {"community_this_week": row["community_this_week"],
                 "insights_pinned": max(row["insights_pinned"], 0)}
    if MATERIALS not in blocked:
        item["materials"] = {"shared": row["materials_shared"],
                             "opened": row["materials_opened"], "done": row["materials_done"]}
    item["attention"], item["reasons"] = attention(
        Facts(row["sessions_planned"], row["sessions_held"], row["next_session_at"],
              messages=messages, checkins=checkins), now)
    return item


async def _with_insights(deps: Engagement, ctx: CommandContext, rows: list[Row]) -> None:
    """Each coachee's record gets the latest insights the coach pinned of theirs, with the
    coach's note (opened for the coach who wrote it)."""
    by_coachee: dict[str, list[Row]] = defaultdict(list)
    for pin in await page_of.insights(deps.pool, ctx.tenant_id, ctx.actor.id,
                                      [r["coachee_id"] for r in rows], RECENT_INSIGHTS):
        by_coachee[pin["user_id"]].append(
            {"post_id": pin["post_id"], "space_id": pin["space_id"],
             "pinned_at": pin["pinned_at"],
             "note": await reveal(deps.sealer, ctx.tenant_id, pin["note"])})
    for item in rows:
        item["recent_insights"] = by_coachee.get(item["coachee_id"], [])


def encode_cursor(coach_id: str, as_of: datetime, key: page_of.Key) -> str:
    raw = json.dumps([coach_id, as_of.isoformat(), key.score, key.since.isoformat(),
                      key.contract_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, coach_id: str) -> tuple[datetime, page_of.Key]:
    """The time the first page was read at and the last line's place; a cursor this coach's
    dashboard did not give is refused."""
    try:
        coach, as_of, score, since, contract_id = json.loads(
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        at, key = datetime.fromisoformat(as_of), datetime.fromisoformat(since)
        if coach != coach_id or type(score) is not int or not abs(score) < 2**31 \
                or not isinstance(contract_id, str) or None in (at.tzinfo, key.tzinfo):
            raise ValueError(coach)
        return at, page_of.Key(score, key, contract_id)
    except (ValueError, TypeError, binascii.Error):
        raise BadCursor("this cursor is not one your dashboard gave; start again without it",
                        field="cursor") from None


async def _blocked(deps: Engagement, ctx: CommandContext) -> list[str]:
    """The features whose facts the dashboard leaves out, by the policy as it is now."""
    policy = deps.policy.policy(ctx.tenant_id)
    if policy is None:  # no known policy: refused (and recorded) like any blocked feature
        policy = await deps.enforce(ctx, CHECKINS, "read", "dashboard", ctx.actor.id)
    return [key for key in GOVERNED if not policy.value(key)]


async def _lines(deps: Engagement, ctx: CommandContext, blocked: list[str], now: datetime,
                 rows: list[Row]) -> list[Row]:
    """The page's lines as the coach sees them: names opened, blocked facts left out."""
    await directory.opened(deps.sealer, ctx.tenant_id, rows)
    lines = [_row(r, now, blocked) for r in rows]
    if COMMUNITY not in blocked:  # pinned insights and the coach's notes are community's
        await _with_insights(deps, ctx, lines)
    return lines


async def dashboard(deps: Engagement, ctx: CommandContext, *, limit: int,
                    cursor: str | None) -> dict[str, Any]:
    """A page of the calling coach's coachees, most in need of attention first, with how many
    they are and how many need attention now. The policy is read now, not when the facts were
    projected: a feature the organisation switched off leaves its facts out of every line,
    score and reasons included (and out of the order and the totals), and the block is named.
    The pages after the first are read as of the first page's time, so that a deadline passing
    meanwhile moves no coachee across pages."""
    blocked = await _blocked(deps, ctx)
    now, after = decode_cursor(cursor, ctx.actor.id) if cursor else (ctx.now, None)
    found = await page_of.page(deps.pool, ctx.tenant_id, ctx.actor.id, now,
                               messaging=MESSAGING not in blocked,
                               checkins=CHECKINS not in blocked, after=after, limit=limit + 1)
    rows, more = found.rows[:limit], len(found.rows) > limit
    last = rows[-1] if rows else None
    return {"coachees": await _lines(deps, ctx, blocked, now, rows), "blocked": blocked,
            "as_of": now, "total": found.total, "needing_attention": found.needing_attention,
            "next_cursor": encode_cursor(ctx.actor.id, now, page_of.Key(
                last["score"], last["since"], last["contract_id"])) if more and last else None}


async def coachee(deps: Engagement, ctx: CommandContext, contract_id: str) -> dict[str, Any]:
    """One line of the calling coach's dashboard, as the dashboard shows it; another coach's
    contract, or one no longer active, is not found."""
    blocked = await _blocked(deps, ctx)
    found = await page_of.page(deps.pool, ctx.tenant_id, ctx.actor.id, ctx.now,
                               messaging=MESSAGING not in blocked,
                               checkins=CHECKINS not in blocked, after=None, limit=1,
                               contract_id=contract_id)
    if not found.rows:
        raise NotFound("no coachee of yours has this contract")
    [line] = await _lines(deps, ctx, blocked, ctx.now, found.rows)
    return line | {"blocked": blocked, "as_of": ctx.now}
