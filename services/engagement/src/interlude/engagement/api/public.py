"""What engagement's reads answer (the ``*Public`` family), so ``/openapi.json`` describes every
answer. A field a reader may not see is left out of the answer, not sent as null: such routes
answer with ``response_model_exclude_unset``, and these models mark those fields optional.
Timestamps kept inside JSON columns (notes, questions) stay the strings they were stored as."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from interlude.engagement.domain.events import Attachment
from interlude.engagement.domain.terms import Consents, Terms

M = TypeVar("M", bound=BaseModel)
FRESH = Field(description="false when the read models had not reached ?after= in time")


class ContractSummaryPublic(BaseModel):
    id: str
    status: str
    programme: str
    coach_id: str
    coachee_id: str
    sponsor_id: str | None
    terms_version: int
    pending_version: int | None
    proposed_at: datetime | None
    activated_at: datetime | None
    ended_at: datetime | None


class ContractsPublic(BaseModel):
    contracts: list[ContractSummaryPublic]
    fresh: bool = FRESH


class SessionCountsPublic(BaseModel):
    planned: int | None
    held: int
    scheduled: int


class GoalFiguresPublic(BaseModel):
    set: int
    achieved: int


class ContractFiguresPublic(BaseModel):
    """How one contract is going, as its sponsor may see it."""

    suppressed: bool
    reason: str | None = None
    sessions: SessionCountsPublic | None = None
    goals: GoalFiguresPublic | None = None


class ContractPublic(BaseModel):
    """The contract as the caller sees it: ``consents`` and ``sessions`` for the coach and the
    coachee; ``figures`` and ``blocked`` for the sponsor."""

    id: str
    status: str
    your_part: str
    coach_id: str | None
    coachee_id: str | None
    sponsor_id: str | None
    terms: Terms | None
    terms_version: int | None
    pending_terms: Terms | None
    pending_version: int | None
    signed_by: list[str]
    awaiting_signature_from: list[str]
    consents: Consents | None = None
    sessions: SessionCountsPublic | None = None
    figures: ContractFiguresPublic | None = None
    blocked: list[str] | None = None
    fresh: bool = FRESH


class SessionPublic(BaseModel):
    id: str
    starts_at: datetime
    minutes: int
    mode: str
    status: str
    cancelled_by: str | None


class SessionsPublic(BaseModel):
    planned: int | None
    held: int
    scheduled: int
    sessions: list[SessionPublic]


class QuestionPublic(BaseModel):
    at: str
    text: str | None


class CheckInPublic(BaseModel):
    id: str
    posted_at: datetime
    mood: int | None
    small_win: bool
    goal_id: str | None
    experiment_id: str | None
    liked: bool
    text: str | None = Field(description="null once its author has been forgotten")
    questions: list[QuestionPublic]


class CheckInsPublic(BaseModel):
    check_ins: list[CheckInPublic]
    fresh: bool = FRESH


class MessagePublic(BaseModel):
    number: int
    id: str
    sender_id: str
    party: str
    sent_at: datetime
    body: str | None
    attachments: list[Attachment]
    billable: bool
    read_by_other: bool


class QuietHoursPublic(BaseModel):
    start: str
    end: str
    timezone: str
    now: bool = Field(description="whether it is quiet hours now")


class AllowancePublic(BaseModel):
    """The reply counter: ``replies_per_month``, ``remaining`` and ``renews_at`` under a
    monthly allowance, ``billable`` under per-message billing."""

    kind: str
    used: int
    reply_window_hours: int
    replies_per_month: int | None = None
    remaining: int | None = None
    renews_at: str | None = None
    billable: int | None = None


class AwaitingReplyPublic(BaseModel):
    count: int
    since: datetime | None
    reply_due_by: datetime | None
    overdue: bool


class ThreadPublic(BaseModel):
    messages: list[MessagePublic]
    read_up_to: dict[str, int]
    quiet_hours: QuietHoursPublic | None
    allowance: AllowancePublic
    awaiting_reply: AwaitingReplyPublic
    fresh: bool = FRESH


class GoalNotePublic(BaseModel):
    at: str
    progress: int | None
    text: str | None


class GoalPublic(BaseModel):
    id: str
    title: str | None
    status: str
    progress: int | None
    set_at: datetime
    notes: list[GoalNotePublic]


class ExperimentPublic(BaseModel):
    id: str
    goal_id: str | None
    planned_at: datetime
    belief: str | None
    behaviour: str | None
    result: str | None
    learning: str | None
    reported_at: datetime | None


class MaterialPublic(BaseModel):
    id: str
    kind: str
    title: str | None = Field(description="null once erased")
    url: str | None = Field(description="a link, stored and shown, never fetched by Interlude")
    note: str | None = Field(description="the coach's note on why now")
    shared_at: datetime
    opened_at: datetime | None
    done_at: datetime | None
    reflection: str | None


class MaterialsPublic(BaseModel):
    materials: list[MaterialPublic] = Field(description="newest first")
    fresh: bool = FRESH


class GoalsPublic(BaseModel):
    goals: list[GoalPublic]
    experiments: list[ExperimentPublic]
    fresh: bool = FRESH


class InsightPublic(BaseModel):
    post_id: str
    space_id: str
    pinned_at: datetime
    note: str | None


class CoacheeSessionsPublic(BaseModel):
    planned: int | None
    held: int | None
    next_at: datetime | None


class MaterialCountsPublic(BaseModel):
    shared: int
    opened: int
    done: int


class CoacheePublic(BaseModel):
    """One coachee's line on the dashboard; the facts of a feature the organisation switched
    off are left out."""

    contract_id: str
    coachee_id: str
    coachee_name: str
    sessions: CoacheeSessionsPublic
    goals_open: int
    experiments_open: int
    checkins: int | None = None
    last_checkin_at: datetime | None = None
    streak: int | None = None
    small_wins: int | None = None
    last_mood: int | None = None
    checkins_unacknowledged: int | None = None
    unanswered: int | None = None
    oldest_waiting_at: datetime | None = None
    reply_overdue: bool | None = None
    community_this_week: int | None = None
    insights_pinned: int | None = None
    materials: MaterialCountsPublic | None = Field(
        default=None, description="how many materials were shared, opened and done (never which)")
    attention: int
    reasons: list[str]
    recent_insights: list[InsightPublic] | None = None


class DashboardPublic(BaseModel):
    coachees: list[CoacheePublic] = Field(description="a page, whoever needs attention first")
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on"
                                                " the last")
    total: int = Field(description="the coach's active coachees, on every page")
    needing_attention: int = Field(description="of them, those with a reason for attention now")
    blocked: list[str] = Field(description="the features the organisation switched off")
    as_of: datetime = Field(description="the time the order and the deadlines were read at (a"
                                        " cursor's pages keep their first page's)")
    fresh: bool = FRESH


class DashboardLinePublic(CoacheePublic):
    blocked: list[str] = Field(description="the features the organisation switched off")
    as_of: datetime
    fresh: bool = FRESH


class ProgrammeFiguresPublic(BaseModel):
    """One programme's figures; only ``reason`` when they are suppressed."""

    programme: str
    suppressed: bool
    reason: str | None = None
    people: int | None = None
    contracts_active: int | None = None
    sessions_planned: int | None = None
    sessions_held: int | None = None
    attendance: float | None = None
    goals: GoalFiguresPublic | None = None


class SponsorFiguresPublic(BaseModel):
    programmes: list[ProgrammeFiguresPublic]
    minimum_group: int
    fresh: bool = FRESH


def answer(model: type[M], found: dict[str, Any], fresh: bool | None = None) -> M:
    """``found`` (an app query's answer) as ``model``, with ``fresh`` when the read waited."""
    return model.model_validate(found if fresh is None else found | {"fresh": fresh})
