"""A material shared with a space: a reading, an exercise, a worksheet or a link its coach
shares with the members, with a note on why now. Each member opens it and marks it done; the
coach sees who did. Only the space's members see it. A link is stored, never fetched."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from interlude.community.domain import events as ev
from interlude.community.domain.errors import Invalid, NotAllowed, NotFound
from interlude.community.domain.space import Space, require_coach, require_member
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.sealing import Secret


@dataclass(frozen=True)
class CohortMaterial:
    exists: bool = False
    space_id: str = ""
    opened: frozenset[str] = frozenset()
    done: frozenset[str] = frozenset()


def evolve(state: CohortMaterial, event: Event) -> CohortMaterial:
    match event:
        case ev.CohortMaterialShared():
            return CohortMaterial(exists=True, space_id=event.space_id)
        case ev.CohortMaterialOpened():
            return replace(state, opened=state.opened | {event.user_id})
        case ev.CohortMaterialDone():
            return replace(state, opened=state.opened | {event.user_id},
                           done=state.done | {event.user_id})
    return state


COHORT_MATERIAL = AggregateSpec(name="cohort_material", initial=CohortMaterial,
                                evolve=evolve, state_type=CohortMaterial)


def stored_link(url: str) -> str:
    """The address as kept: http(s) with a host; Interlude never visits it."""
    address = url.strip()
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("a link is an http or https address with a host, e.g. "
                      "https://example.org/article", field="url")
    return address


def share(space: Space, space_id: str, actor_id: str, kind: ev.MaterialKind, title: str,
          url: str | None, note: str | None) -> list[Event]:
    require_coach(space, actor_id, "shares materials with it")
    if not title.strip():
        raise Invalid("a material needs a title", field="title")
    if kind == "link" and not (url and url.strip()):
        raise Invalid("a link needs its address", field="url")
    members = sorted(u for u, m in space.members.items()
                     if m.status == "joined" and u != space.coach_id)
    return [ev.CohortMaterialShared(
        space_id=space_id, coach_id=actor_id, kind=kind, title=Secret(title.strip(), actor_id),
        url=Secret(stored_link(url), actor_id) if url and url.strip() else None,
        note=Secret(note.strip(), actor_id) if note and note.strip() else None,
        members=members)]


def _members(state: CohortMaterial, space: Space, space_id: str, user_id: str) -> None:
    """Only a member of the material's space; to anyone else it does not exist."""
    if not state.exists or state.space_id != space_id:
        raise NotFound("there is no such material")
    require_member(space, user_id)
    if user_id == space.coach_id:
        raise NotAllowed("the coach shared it; its members open it and mark it done")


def opened(state: CohortMaterial, space: Space, space_id: str, user_id: str) -> list[Event]:
    _members(state, space, space_id, user_id)
    if user_id in state.opened:
        return []
    return [ev.CohortMaterialOpened(space_id=space_id, user_id=user_id)]


def done(state: CohortMaterial, space: Space, space_id: str, user_id: str) -> list[Event]:
    _members(state, space, space_id, user_id)
    if user_id in state.done:
        return []
    return [ev.CohortMaterialDone(space_id=space_id, user_id=user_id)]
