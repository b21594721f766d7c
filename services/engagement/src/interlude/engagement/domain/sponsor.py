"""What a sponsor may see of the coaching they pay for: per programme, the figures the contracts'
sponsor views allow, never over fewer than five people (k-anonymity); of one contract, no more
than its sponsor view allows and nothing its programme's figures suppress. Pure: the sponsor's
rows of ``sponsor_contracts`` in, figures out."""

from __future__ import annotations

from typing import Any

from interlude.engagement.domain.terms import SponsorView

MIN_GROUP = 5  # a figure over fewer people could identify them: it is suppressed
SUPPRESSED = f"fewer than {MIN_GROUP} people: figures could identify them"

Row = dict[str, Any]


def programme_figures(name: str, contracts: list[Row]) -> dict[str, Any]:
    """One programme's figures over the sponsor's contracts in it whose view is not ``none``."""
    return figures_of(name, totals_of(contracts))


def totals_of(contracts: list[Row]) -> Row:
    """What a programme's figures are made of, over its contracts' rows (as the read model
    ``sponsor_programmes`` keeps them as the rows are written)."""
    with_goals = [c for c in contracts if c["sponsor_view"] == "goals"]
    return {"people": len({c["coachee_id"] for c in contracts}),
            "contracts_active": sum(1 for c in contracts if c["status"] == "active"),
            **{k: sum(c[k] for c in contracts)
               for k in ("sessions_planned", "sessions_held", "sessions_missed")},
            "goal_people": len({c["coachee_id"] for c in with_goals}),
            **{k: sum(c[k] for c in with_goals) for k in ("goals_set", "goals_achieved")}}


def figures_of(name: str, totals: Row) -> dict[str, Any]:
    """One programme's figures from its totals; suppressed over fewer than five people, and
    its goals over fewer than five people whose contracts show goals."""
    if totals["people"] < MIN_GROUP:
        return {"programme": name, "suppressed": True, "reason": SUPPRESSED}
    held, missed = totals["sessions_held"], totals["sessions_missed"]
    figures: dict[str, Any] = {
        "programme": name, "suppressed": False, "people": totals["people"],
        "contracts_active": totals["contracts_active"],
        "sessions_planned": totals["sessions_planned"], "sessions_held": held,
        "attendance": round(held / (held + missed), 3) if held + missed else None}
    if totals["goal_people"] < MIN_GROUP:
        figures["goals"] = None  # too few contracts show goals to their sponsor
    else:
        figures["goals"] = {"set": totals["goals_set"], "achieved": totals["goals_achieved"]}
    return figures


def contract_figures(view: SponsorView, own: Row | None, programme: list[Row],
                     sessions: dict[str, Any]) -> dict[str, Any] | None:
    """What the sponsor sees of how one contract is going: nothing under view ``none`` (nor
    before its row is known, ``own``); under ``attendance`` its sessions, under ``goals`` also
    its goals; and only what its programme's figures (``programme``: the sponsor's rows of the
    same programme) show, so one contract cannot undo the suppression of a small group."""
    if view == "none" or own is None:
        return None
    shown = programme_figures(own["programme"], programme)
    if shown["suppressed"]:
        return {"suppressed": True, "reason": SUPPRESSED}
    figures: dict[str, Any] = {"suppressed": False, "sessions": sessions}
    if view == "goals":
        figures["goals"] = None if shown["goals"] is None else {
            "set": own["goals_set"], "achieved": own["goals_achieved"]}
    return figures
