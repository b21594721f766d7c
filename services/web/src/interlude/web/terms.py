"""A contract's terms as a form: the current terms as the fields' values, and the form read
back into the terms engagement validates (what it refuses comes back as a 422 naming the
field)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

MODES = (("video", "Video"), ("phone", "Phone"), ("in_person", "In person"))
SPONSOR_VIEWS = (("none", "Nothing"), ("attendance", "Attendance only"),
                 ("goals", "Attendance and how many goals were set and achieved"))


CONSENTS = ("pin_insights", "peer_tagging", "share_posts", "counted_when_quiet")
# a new contract's terms before the coach changes them (engagement's own defaults)
NEW: dict[str, Any] = {
    "programme": "General",
    "sessions": {"count": 6, "over_months": 6, "mode": "video", "minutes": 60},
    "channels": {"checkins": True, "messaging": True, "community": False},
    "allowance": {"kind": "monthly", "replies_per_month": 8, "reply_window_hours": 48},
    "quiet_hours": None, "sponsor_view": "none",
    "consents": dict.fromkeys(CONSENTS, False) | {"counted_when_quiet": True},
    "retention_days": 365}


def proposed(form: FormData) -> dict[str, Any]:
    """A new contract's terms: every part from the form, the programme and consents too."""
    terms = from_form(form, NEW)
    terms["programme"] = str(form.get("programme") or "").strip()[:80] or NEW["programme"]
    terms["consents"] = {key: form.get(f"consent-{key}") == "yes" for key in CONSENTS}
    return terms


def _number(form: FormData, name: str, default: int) -> int:
    raw = str(form.get(name) or "").strip()
    return int(raw) if raw.isdigit() else default


def from_form(form: FormData, current: dict[str, Any]) -> dict[str, Any]:
    """New terms: the fields the form has, the rest (programme, consents) as they are."""
    sessions, allowance = current["sessions"], current["allowance"]
    terms: dict[str, Any] = {
        "programme": current["programme"],
        "sessions": {"count": _number(form, "sessions_count", sessions["count"]),
                     "over_months": _number(form, "sessions_months", sessions["over_months"]),
                     "mode": str(form.get("sessions_mode") or sessions["mode"]),
                     "minutes": _number(form, "sessions_minutes", sessions["minutes"])},
        "channels": {"checkins": form.get("checkins") == "yes",
                     "messaging": form.get("messaging") == "yes",
                     "community": form.get("community") == "yes"},
        "allowance": {"kind": "per_message" if form.get("allowance_kind") == "per_message"
                      else "monthly",
                      "replies_per_month": _number(form, "replies_per_month",
                                                   allowance.get("replies_per_month") or 0),
                      "reply_window_hours": _number(form, "reply_window_hours",
                                                    allowance["reply_window_hours"])},
        "sponsor_view": str(form.get("sponsor_view") or current["sponsor_view"]),
        "consents": current["consents"],
        "retention_days": _number(form, "retention_days", current["retention_days"])}
    if terms["channels"]["community"] and current["channels"].get("community_space"):
        terms["channels"]["community_space"] = current["channels"]["community_space"]
    # always there (a form shown again reads it), half typed too: see ``problem``
    start, end = (str(form.get(name) or "").strip() for name in ("quiet_start", "quiet_end"))
    terms["quiet_hours"] = {"start": start, "end": end, "timezone": str(
        form.get("quiet_timezone") or "UTC").strip()} if start or end else None
    return terms


def problem(terms: dict[str, Any]) -> str | None:
    """What must be fixed before the terms can be proposed (a half of the quiet hours would
    otherwise be dropped without a word)."""
    quiet = terms["quiet_hours"]
    if quiet and not (quiet["start"] and quiet["end"]):
        return "Give both the start and the end of the quiet hours, or leave both empty."
    return None
