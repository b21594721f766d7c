"""How a member is shown to whoever reads: the only place a name, a pseudonym or "former
member" is chosen. A peer never gets a pseudonymous member's name or user id, unless the member
stepped out of their pseudonym to them (or to the whole space), and then only in that space;
the coach sees a pseudonym until they reveal it or the member steps out to them; everyone is
"former member" once forgotten."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from interlude.community.projections import queries
from interlude.shared.projections.sealed import opened_or_none
from interlude.shared.sealing import Sealer

FORMER = "former member"
HOST = "the circle's host"


@dataclass(frozen=True)
class SpaceView:
    """A space as one reader sees it: its members by user id, and who is reading."""

    space_id: str
    name: str
    description: str
    kind: str
    coach_id: str
    pseudonymous: bool
    slow_mode_s: int
    viewer: str
    members: dict[str, dict[str, Any]]  # display_name opened where this reader sees it

    @property
    def viewer_is_coach(self) -> bool:
        return self.viewer == self.coach_id

    @property
    def viewer_is_guest(self) -> bool:
        """A coach of another organisation in this circle (ADR 0015): everyone here is a
        pseudonym to them, the host included, unless they stepped out to them."""
        return bool((self.members.get(self.viewer) or {}).get("home_tenant"))

    def shows_name(self, row: dict[str, Any]) -> bool:
        """Whether this reader may see the member's name (so it is worth opening)."""
        if self.viewer_is_guest:
            return self.stepped_out_to_viewer(row)
        return (not self.pseudonymous or row["role"] == "coach"
                or (self.viewer_is_coach and bool(row["revealed"]))
                or self.stepped_out_to_viewer(row))

    def stepped_out_to_viewer(self, row: dict[str, Any]) -> bool:
        """The member chose to show this reader their name (not their own label)."""
        return row["user_id"] != self.viewer and (
            bool(row.get("open_to_all")) or self.viewer in (row.get("open_to") or ()))

    def label(self, user_id: str | None) -> dict[str, Any]:
        """``{"handle", "name", "role", "you"}`` of ``user_id`` for this reader."""
        row = self.members.get(user_id or "")
        if row is None or row["status"] == "forgotten":
            return {"handle": None, "name": FORMER, "role": "member", "you": False}
        label: dict[str, Any] = {"handle": row["handle"], "role": row["role"],
                                 "you": user_id == self.viewer}
        if self.viewer_is_guest and row["role"] == "coach":
            label["name"] = HOST
        elif self.pseudonymous and row["role"] != "coach":
            label["name"] = row["pseudonym"] or FORMER
            if self.viewer_is_coach and row["revealed"]:
                label["revealed_name"] = row["display_name"]
            if self.stepped_out_to_viewer(row) and row["display_name"]:
                label["stepped_out_name"] = row["display_name"]
        else:
            label["name"] = row["display_name"] or FORMER
        return label


    def you(self) -> dict[str, Any]:
        """The reader's own label, with to whom they stepped out of their pseudonym (in a
        pseudonymous space)."""
        label = self.label(self.viewer)
        row = self.members.get(self.viewer)
        if row is not None and self.pseudonymous and row["role"] != "coach":
            label["shown_to"] = self.shown_to(row)
        return label

    def shown_to(self, row: dict[str, Any]) -> list[str]:
        """To whom the member stepped out of their pseudonym: ``["everyone"]``, peers'
        handles, or nobody."""
        if row.get("open_to_all"):
            return ["everyone"]
        handles = {u: m["handle"] for u, m in self.members.items()}
        return sorted(handles.get(u) or FORMER for u in row.get("open_to") or ())


async def space_view(conn: asyncpg.Pool | asyncpg.Connection, sealer: Sealer, tenant_id: str,
                     space_id: str, viewer: str) -> SpaceView | None:
    """The space and its members as ``viewer`` sees them; None when it does not exist. Names
    are sealed in ``people``: only those this reader is shown are opened."""
    space, rows = await queries.space_and_members(conn, tenant_id, space_id)
    if space is None:
        return None
    view = SpaceView(space_id, space["name"], space["description"], space["kind"],
                     space["coach_id"], space["pseudonymous"], space["slow_mode_s"], viewer,
                     {r["user_id"]: dict(r) for r in rows})
    for row in view.members.values():
        sealed, row["display_name"] = row["display_name"], None
        if view.shows_name(row):
            row["display_name"] = await opened_or_none(sealer, tenant_id, sealed)
    return view
