"""A directory group provisioned by SCIM. A group named after a role (``coach``, or
``interlude-coach``) grants that role to its members; other groups are kept, grant nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace

from interlude.identity.domain import events as ev
from interlude.identity.domain.errors import AlreadyExists, NotFound
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.policy import ROLES


@dataclass(frozen=True)
class Group:
    exists: bool = False
    deleted: bool = False
    display_name: str = ""
    external_id: str | None = None
    members: tuple[str, ...] = ()


def evolve(state: Group, event: Event) -> Group:
    match event:
        case ev.GroupCreated() | ev.GroupChanged():
            return replace(state, exists=True, display_name=event.display_name,
                           external_id=event.external_id, members=event.members)
        case ev.GroupDeleted():
            return Group(deleted=True)
    return state


GROUP = AggregateSpec(name="group", initial=Group, evolve=evolve, state_type=Group)


def granted_role(display_name: str) -> str | None:
    """The role a group of this name grants, if any."""
    name = display_name.strip().lower().removeprefix("interlude-").replace(" ", "_")
    return name if name in ROLES else None


def create(state: Group, display_name: str, external_id: str | None,
           members: tuple[str, ...]) -> list[Event]:
    if state.exists or state.deleted:
        raise AlreadyExists("this group already exists")
    return [ev.GroupCreated(display_name=display_name, external_id=external_id,
                            members=tuple(dict.fromkeys(members)))]


def change(state: Group, display_name: str, external_id: str | None,
           members: tuple[str, ...]) -> list[Event]:
    if not state.exists:
        raise NotFound("there is no such group")
    members = tuple(dict.fromkeys(members))
    if (display_name, external_id, members) == (state.display_name, state.external_id,
                                                state.members):
        return []
    return [ev.GroupChanged(display_name=display_name, external_id=external_id, members=members)]


def delete(state: Group) -> list[Event]:
    if not state.exists:
        raise NotFound("there is no such group")
    return [ev.GroupDeleted()]
