"""The pure domain: signatures, consents, the plan, the allowance, attention. No I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from interlude.engagement.domain import contract as c
from interlude.engagement.domain import events as ev
from interlude.engagement.domain import thread as t
from interlude.engagement.domain.attention import CheckIns, Facts, Messages, attention, overdue
from interlude.engagement.domain.errors import (
    AllowanceExhausted,
    InvalidState,
    NotAllowed,
    NotFound,
    PlanExceeded,
    TooFarAhead,
    TooFarBack,
)
from interlude.engagement.domain.terms import Terms

NOW = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
TERMS = Terms.model_validate({"sessions": {"count": 2, "over_months": 2},
                              "allowance": {"replies_per_month": 2},
                              "consents": {"pin_insights": True}})


def active(terms: Terms = TERMS) -> c.Contract:
    state = c.CONTRACT.replay(c.Contract(), c.propose(c.Contract(), "coach", "coachee",
                                                      "sponsor", terms))
    for party in ("coach", "coachee", "sponsor"):
        state = c.CONTRACT.replay(state, c.sign(state, party))
    return state


def test_the_last_signature_activates_the_terms() -> None:
    state = c.CONTRACT.replay(c.Contract(), c.propose(c.Contract(), "coach", "coachee", None,
                                                      TERMS))
    first = c.sign(state, "coachee")
    assert [type(e) for e in first] == [ev.ContractSigned]
    state = c.CONTRACT.replay(state, first)
    assert c.sign(state, "coachee") == []  # signing twice changes nothing
    last = c.sign(state, "coach")
    assert [type(e) for e in last] == [ev.ContractSigned, ev.ContractActivated]
    assert c.CONTRACT.replay(state, last).status == "active"


def test_strangers_are_told_nothing_and_the_sponsor_sees_no_content() -> None:
    state = active()
    with pytest.raises(NotFound):
        c.sign(state, "stranger")
    with pytest.raises(NotFound):
        c.content_party(state, "sponsor")
    with pytest.raises(NotAllowed):
        c.set_consent(state, "coach", "pin_insights", False)


def test_a_withdrawn_consent_is_gone_at_once() -> None:
    state = active()
    state = c.CONTRACT.replay(state, c.set_consent(state, "coachee", "pin_insights", False))
    assert state.consents.pin_insights is False
    assert c.set_consent(state, "coachee", "pin_insights", False) == []


def test_the_plan_caps_the_sessions() -> None:
    state = active()
    for n in range(2):
        state = c.CONTRACT.replay(state, c.schedule(state, "coach", f"s{n}", NOW, None, None, NOW))
    with pytest.raises(PlanExceeded):
        c.schedule(state, "coachee", "s3", NOW, None, None, NOW)
    state = c.CONTRACT.replay(state, c.cancel(state, "k1", "coachee", "s1", "ill"))
    assert c.schedule(state, "coachee", "s3", NOW, None, None, NOW)  # a cancelled one frees a place
    with pytest.raises(InvalidState):
        c.mark_held(state, "coach", "s0", NOW - timedelta(hours=1))  # not started yet


def test_a_session_is_set_at_most_two_years_ahead_or_90_days_back_and_moved_no_further(
        ) -> None:
    state, latest = active(), NOW + timedelta(days=730)
    state = c.CONTRACT.replay(state, c.schedule(state, "coach", "s0", latest, None, None, NOW))
    with pytest.raises(TooFarAhead) as refused:
        c.schedule(state, "coach", "s1", latest + timedelta(minutes=1), None, None, NOW)
    assert str(refused.value) == ("a session can be scheduled at most two years ahead, until "
                                  "2028-12-30; pick an earlier date")
    assert refused.value.extra == {"latest": "2028-12-30T23:30:00+00:00"}
    with pytest.raises(TooFarAhead):
        c.schedule(state, "coach", "s1", datetime(8999, 1, 1, tzinfo=UTC), None, None, NOW)
    with pytest.raises(TooFarAhead):
        c.reschedule(state, "coachee", "s0", latest + timedelta(days=1), NOW)
    earliest = NOW - timedelta(days=90)  # one held, recorded afterwards; not a typo's year
    assert c.schedule(state, "coach", "s2", earliest, None, None, NOW)
    with pytest.raises(TooFarBack) as back:
        c.schedule(state, "coach", "s2", datetime(2020, 1, 6, 9, tzinfo=UTC), None, None, NOW)
    assert "at most 90 days back" in str(back.value) and "earliest" in back.value.extra
    with pytest.raises(TooFarBack):
        c.reschedule(state, "coachee", "s0", earliest - timedelta(minutes=1), NOW)
    # a year on, the same date is within reach
    assert c.reschedule(state, "coachee", "s0", latest + timedelta(days=1),
                        NOW + timedelta(days=365))


def test_the_allowance_renews_on_the_first_of_the_next_month() -> None:
    contract, thread = active(), t.Thread()
    for n in range(2):
        thread = t.THREAD.replay(thread, t.send(thread, contract, "k", "coach", f"m{n}", "hi",
                                                (), NOW))
    with pytest.raises(AllowanceExhausted) as refused:
        t.send(thread, contract, "k", "coach", "m3", "hi", (), NOW)
    assert refused.value.extra == {"allowance": 2, "used": 2,
                                   "renews_at": "2027-01-01T00:00:00+00:00"}
    assert t.send(thread, contract, "k", "coachee", "m4", "hi", (), NOW)  # the coachee writes
    assert t.send(thread, contract, "k", "coach", "m5", "hi", (), NOW + timedelta(hours=1))
    assert t.allowance_status(TERMS.allowance, thread, NOW)["remaining"] == 0


def test_read_receipts_only_move_forward() -> None:
    contract, thread = active(), t.Thread()
    thread = t.THREAD.replay(thread, t.send(thread, contract, "k", "coachee", "m1", "hi", (), NOW))
    thread = t.THREAD.replay(thread, t.read(thread, contract, "k", "coach", 1))
    assert thread.coach_read == 1 and t.read(thread, contract, "k", "coach", 1) == []


def test_an_overdue_reply_comes_first() -> None:
    soon = NOW + timedelta(days=3)
    calm = Facts(6, 1, soon, Messages(0, None, 48), CheckIns(NOW, 0, 4))
    waiting = Facts(6, 1, soon, Messages(1, NOW - timedelta(hours=49), 48), CheckIns(NOW, 0, 4))
    assert waiting.messages and calm.messages
    assert overdue(waiting.messages, NOW) and not overdue(calm.messages, NOW)
    assert attention(waiting, NOW)[0] > attention(calm, NOW)[0]
    assert attention(calm, NOW) == (0, [])


def test_facts_of_a_blocked_feature_move_neither_score_nor_reasons() -> None:
    troubled = Facts(6, 1, NOW + timedelta(days=3),
                     messages=Messages(2, NOW - timedelta(hours=49), 48),
                     checkins=CheckIns(NOW - timedelta(days=9), 3, 1))
    assert attention(replace(troubled, checkins=None), NOW) == (
        130, ["reply overdue", "2 unanswered messages"])
    assert attention(replace(troubled, messages=None), NOW) == (41, [
        "3 check-ins to acknowledge", "low mood in the last check-in",
        "no check-in for a week"])
    assert attention(replace(troubled, messages=None, checkins=None), NOW) == (0, [])


def test_quiet_hours_may_span_midnight() -> None:
    quiet = Terms.model_validate({"sessions": {"count": 1, "over_months": 1}, "quiet_hours": {
        "start": "21:00", "end": "07:00", "timezone": "Europe/Berlin"}}).quiet_hours
    assert quiet is not None
    assert quiet.contains(datetime(2026, 12, 1, 22, 0, tzinfo=UTC))  # 23:00 in Berlin
    assert not quiet.contains(datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
