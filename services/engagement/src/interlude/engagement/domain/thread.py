"""The message thread of a contract: coach and coachee, read receipts, and the coach's reply
allowance (a monthly upper limit, or per-message billing)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from interlude.engagement.domain import events as ev
from interlude.engagement.domain.checkin import require_channel
from interlude.engagement.domain.contract import Contract, content_party, content_subject
from interlude.engagement.domain.errors import AllowanceExhausted, Invalid
from interlude.engagement.domain.terms import Allowance
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.sealing import Secret

MAX_ATTACHMENTS = 5


@dataclass(frozen=True)
class Thread:
    count: int = 0
    month: str = ""  # the month of the last coach reply
    month_replies: int = 0  # coach replies counted in ``month``
    coach_read: int = 0
    coachee_read: int = 0


def evolve(state: Thread, event: Event) -> Thread:
    match event:
        case ev.MessageSent():
            if not event.counted:
                return replace(state, count=event.number)
            used = state.month_replies if state.month == event.month else 0
            return replace(state, count=event.number, month=event.month, month_replies=used + 1)
        case ev.MessageRead():
            if event.party == "coach":
                return replace(state, coach_read=event.up_to)
            return replace(state, coachee_read=event.up_to)
    return state


THREAD = AggregateSpec(name="thread", initial=Thread, evolve=evolve, state_type=Thread)


def month_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def renews_at(moment: datetime) -> datetime:
    """The start of the next calendar month (UTC), when a monthly allowance renews."""
    moment = moment.astimezone(UTC)
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def allowance_status(allowance: Allowance, state: Thread, now: datetime) -> dict[str, Any]:
    """The counter both sides see."""
    used = state.month_replies if state.month == month_of(now) else 0
    status: dict[str, Any] = {"kind": allowance.kind, "used": used,
                              "reply_window_hours": allowance.reply_window_hours}
    if allowance.kind == "monthly":
        limit = allowance.replies_per_month or 0
        status |= {"replies_per_month": limit, "remaining": max(limit - used, 0),
                   "renews_at": renews_at(now).isoformat()}
    else:
        status |= {"billable": used}
    return status


def send(state: Thread, contract: Contract, contract_id: str, user_id: str, message_id: str,
         body: str, attachments: tuple[ev.Attachment, ...], now: datetime) -> list[Event]:
    party = content_party(contract, user_id, "contract")
    require_channel(contract, "messaging")
    assert contract.terms is not None
    if not body.strip():
        raise Invalid("a message needs some text")
    if len(attachments) > MAX_ATTACHMENTS:
        raise Invalid(f"a message carries at most {MAX_ATTACHMENTS} attachments")
    allowance, month = contract.terms.allowance, month_of(now)
    counted = party == "coach"
    if counted and allowance.kind == "monthly":
        used = state.month_replies if state.month == month else 0
        limit = allowance.replies_per_month or 0
        if used >= limit:
            renewal = renews_at(now)
            raise AllowanceExhausted(
                f"the contract allows {limit} coach replies a month and {used} were sent this "
                f"month; the allowance renews on {renewal:%Y-%m-%d}, or amend the contract",
                allowance=limit, used=used, renews_at=renewal.isoformat())
    return [ev.MessageSent(
        contract_id=contract_id, message_id=message_id, number=state.count + 1,
        sender_id=user_id, party=party, coachee_id=contract.coachee_id,
        body=Secret(body, content_subject(contract.coachee_id, contract_id)),
        attachments=attachments, month=month,
        counted=counted, billable=counted and allowance.kind == "per_message")]


def read(state: Thread, contract: Contract, contract_id: str, user_id: str,
         up_to: int) -> list[Event]:
    party = content_party(contract, user_id, "contract")
    require_channel(contract, "messaging")
    if not 1 <= up_to <= state.count:
        raise Invalid(f"this thread has messages 1 to {state.count}; up_to must be one of them")
    if up_to <= (state.coach_read if party == "coach" else state.coachee_read):
        return []
    return [ev.MessageRead(contract_id=contract_id, reader_id=user_id, party=party, up_to=up_to)]
