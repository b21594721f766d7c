"""SCIM groups (RFC 7643 §4.2) and the roles they grant. A group named after a role (``coach``,
``interlude-coach``) grants it to its members: a person added gets the role, a person removed
(or the whole group deleted, or renamed) loses it, unless it is their only role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, NamedTuple, cast

from scim2_models import Group as ScimGroup
from scim2_models import GroupMember

from interlude.identity.app import people
from interlude.identity.app.deps import Identity
from interlude.identity.app.scim import MAX_TEXT, meta
from interlude.identity.domain import group as domain
from interlude.identity.domain.errors import Invalid, InvalidState, NotFound
from interlude.shared.events.envelope import CommandContext
from interlude.shared.events.registry import Event
from interlude.shared.ids import new_id

MAX_MEMBERS = 10_000  # every change of a group stores its whole member list in one event


class Shape(NamedTuple):
    display_name: str
    external_id: str | None
    members: tuple[str, ...]

    @classmethod
    def of(cls, state: domain.Group) -> Shape:
        return cls(state.display_name, state.external_id, state.members)


def group_resource(row: Mapping[str, Any], names: Mapping[str, str | None],
                   base: str) -> ScimGroup:
    members = [GroupMember(value=m, type="User", ref=cast(Any, f"{base}/Users/{m}"),
                           display=names.get(m)) for m in row["members"]]
    return ScimGroup(id=row["id"], external_id=row["external_id"],
                     display_name=row["display_name"], members=members or None,
                     meta=meta("Group", row, f"{base}/Groups/{row['id']}"))


def state_resource(group_id: str, state: domain.Group) -> ScimGroup:
    """The group as the event store has it, for a PATCH to apply to."""
    return ScimGroup(id=group_id, display_name=state.display_name, external_id=state.external_id,
                     members=[GroupMember(value=m, type="User", ref=None)
                              for m in state.members] or None)


def shape_of(resource: ScimGroup) -> Shape:
    name = (resource.display_name or "").strip()
    if not name or len(name) > MAX_TEXT:
        raise Invalid(f"displayName: give the group a name of at most {MAX_TEXT} characters")
    members: list[str] = []
    for member in resource.members or []:
        if member.type and member.type.lower() != "user":
            raise Invalid("members: only people can be members; nested groups are not supported")
        if not member.value or not people.ID.match(member.value):
            raise Invalid(f"members: {member.value!r} is not a person of this organisation")
        members.append(member.value)
    if len(set(members)) > MAX_MEMBERS:
        raise Invalid(f"members: a group has at most {MAX_MEMBERS} members")
    return Shape(name, resource.external_id, tuple(dict.fromkeys(members)))


async def _check_members(deps: Identity, tenant_id: str, user_ids: Iterable[str]) -> None:
    for user_id in user_ids:
        if not (await deps.users.load(tenant_id, user_id)).state.exists:
            raise Invalid(f"members: {user_id!r} is not a person of this organisation")


async def _quietly(change: Awaitable[int]) -> int:
    try:
        return await change
    except (InvalidState, NotFound):  # their only role (kept), or a person since forgotten
        return 0


async def _sync_roles(deps: Identity, ctx: CommandContext, before: Shape | None,
                      after: Shape | None) -> int:
    """Grant the role ``after`` grants to all its members (again, harmlessly: a retried request
    then completes what a failed one began), then revoke the role ``before`` granted from
    those who no longer get it from this group."""
    old = domain.granted_role(before.display_name) if before else None
    new = domain.granted_role(after.display_name) if after else None
    positions = [0]
    if new and after:
        for user_id in after.members:
            positions.append(await _quietly(people.grant(deps, ctx, user_id, new)))
    if old and before:
        keep = set(after.members) if after and new == old else set()
        for user_id in before.members:
            if user_id not in keep:
                positions.append(await _quietly(people.revoke(deps, ctx, user_id, old)))
    return max(positions)


async def create(deps: Identity, ctx: CommandContext, shape: Shape) -> tuple[str, int]:
    """A new group (id, position); its members must be people of the organisation."""
    await _check_members(deps, ctx.tenant_id, set(shape.members))
    group_id = new_id()
    result = await deps.groups.execute(ctx.tenant_id, group_id, lambda s: domain.create(
        s, shape.display_name, shape.external_id, shape.members), ctx)
    return group_id, max(people.position(result), await _sync_roles(deps, ctx, None, shape))


async def change(deps: Identity, ctx: CommandContext, group_id: str,
                 edit: Callable[[domain.Group], Shape]) -> int:
    """Apply ``edit`` to the group as stored: on a concurrent change it runs again on the
    newer state, so two directories' PATCHes do not lose each other's members."""
    seen: list[tuple[Shape, Shape]] = []

    async def decide(state: domain.Group) -> list[Event]:
        if not state.exists:
            raise NotFound("there is no such group")
        before, after = Shape.of(state), edit(state)
        await _check_members(deps, ctx.tenant_id, set(after.members) - set(before.members))
        seen.append((before, after))
        return domain.change(state, *after)

    result = await deps.groups.execute(ctx.tenant_id, group_id, decide, ctx)
    before, after = seen[-1]
    return max(people.position(result), await _sync_roles(deps, ctx, before, after))


async def delete(deps: Identity, ctx: CommandContext, group_id: str) -> int:
    seen: list[Shape] = []

    def decide(state: domain.Group) -> list[Event]:
        events = domain.delete(state)
        seen.append(Shape.of(state))
        return events

    result = await deps.groups.execute(ctx.tenant_id, group_id, decide, ctx)
    return max(people.position(result), await _sync_roles(deps, ctx, seen[-1], None))
