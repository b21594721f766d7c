"""The sponsor's figures read as a sponsor reads them: sessions held against those planned,
and attendance on a line of its own, said against what it counts."""

from __future__ import annotations

import re
from typing import Any

from interlude.web.render import environment

FIGURES = {"programme": "Leadership 2026", "suppressed": False, "people": 5,
           "contracts_active": 5, "sessions_planned": 30, "sessions_held": 12,
           "attendance": 1.0, "goals": None}


def _shown(programmes: list[dict[str, Any]]) -> str:
    html = environment().get_template("sponsor.html").render(
        me=None, csrf="", flash=[], refused=[], nav=[], title="Programme figures",
        path="/sponsor", inbox=False, unread=None,
        found={"programmes": programmes, "minimum_group": 5})
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_attendance_is_not_read_against_the_sessions_planned() -> None:
    shown = _shown([FIGURES])
    assert "Sessions 12 held of 30 planned Attendance" in shown  # "(100 %)" no longer beside it
    assert "100 % of the sessions held or cancelled by a coachee took place" in shown
    assert "Attendance" not in _shown([FIGURES | {"attendance": None}])
