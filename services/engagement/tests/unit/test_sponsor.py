"""What a sponsor sees: figures over five people or more, and of one contract no more than its
sponsor view and its programme's figures allow. Pure, no I/O."""

from __future__ import annotations

from typing import Any

from interlude.engagement.domain.sponsor import contract_figures, programme_figures

SESSIONS = {"planned": 6, "held": 2, "scheduled": 1}


def _rows(people: int, view: str = "attendance", goals_views: int = 0) -> list[dict[str, Any]]:
    return [{"contract_id": f"c{n}", "coachee_id": f"p{n}", "programme": "P",
             "sponsor_view": "goals" if n < goals_views else view, "status": "active",
             "sessions_planned": 6, "sessions_held": 2, "sessions_missed": 0,
             "goals_set": 3, "goals_achieved": 1} for n in range(people)]


def test_one_contract_shows_nothing_its_small_programme_suppresses() -> None:
    rows = _rows(4)
    assert programme_figures("P", rows)["suppressed"] is True
    seen = contract_figures("attendance", rows[0], rows, SESSIONS)
    assert seen is not None and seen["suppressed"] is True and "sessions" not in seen


def test_sponsor_view_none_shows_nothing_of_the_contract() -> None:
    rows = _rows(6)
    assert contract_figures("none", rows[0], rows, SESSIONS) is None
    assert contract_figures("attendance", None, rows, SESSIONS) is None  # not projected yet


def test_attendance_shows_sessions_and_goals_only_over_five_goal_views() -> None:
    rows = _rows(6, goals_views=4)
    assert contract_figures("attendance", rows[5], rows, SESSIONS) == {
        "suppressed": False, "sessions": SESSIONS}
    few = contract_figures("goals", rows[0], rows, SESSIONS)
    assert few is not None and few["goals"] is None  # as the programme's goals are
    rows = _rows(6, goals_views=5)
    many = contract_figures("goals", rows[0], rows, SESSIONS)
    assert many is not None and many["goals"] == {"set": 3, "achieved": 1}
