"""SCIM users (RFC 7643 §4.1) as our people, and the commands an organisation's directory
(Entra ID, Okta) sends about them. A person keeps one e-mail address (the ``userName``, shown
again as the work e-mail), one display name and an external id; ``active`` is whether they are
deactivated. The mapping is pure; the commands go through ``app.people``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import EmailStr, TypeAdapter, ValidationError
from scim2_models import (
    Context,
    Email,
    EnterpriseUser,
    Meta,
    Name,
    PatchOp,
    Resource,
    Role,
    ScimPolicy,
    User,
)

from interlude.identity.app import organisations, people
from interlude.identity.app.deps import Identity
from interlude.identity.domain.errors import Invalid
from interlude.shared.events.envelope import Actor, CommandContext

ScimUser = User[EnterpriseUser]
R = TypeVar("R", bound=Resource[Any])

# what real directories send: Entra removes group members with a value instead of a path filter
# and adds to emails[type eq "work"] when the person has none; both send attributes we do not
# keep (the enterprise extension, phone numbers), which are accepted and dropped. A boolean
# may come as a string (Entra's PATCH sends "active": "False"): scim2-models reads it, and
# unlike the rest of the API (interlude.shared.kit.body) SCIM keeps that leniency on purpose
POLICY = ScimPolicy(unknown=ScimPolicy.Unknown.ignore,
                    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
                    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create)
DEPROVISIONED = "deprovisioned by the directory"
MAX_TEXT = 200
_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)


@dataclass(frozen=True)
class Person:
    """What we keep of a SCIM user."""

    email: str
    display_name: str
    external_id: str | None
    active: bool


def actor(token_id: str) -> Actor:
    return Actor(id=f"scim:{token_id}", roles=("org_admin",), kind="service")


# -- SCIM payloads ------------------------------------------------------------------------------

def _schemas_given(body: Any, schema: str) -> None:
    """Every SCIM body names its schemas (RFC 7643 §3: ``schemas`` is REQUIRED and not empty;
    RFC 7644 §3.5.2 says it again of a PatchOp). scim2-models checks the URIs given but takes
    a body that gives none; a directory always sends them, so one without is refused,
    creation, replacement and patch alike, as an invalidValue naming the attribute."""
    if isinstance(body, dict) and not body.get("schemas"):
        raise Invalid(f'schemas: required, e.g. ["{schema}"] (RFC 7643 §3)')


def validated(model: type[R], body: Any, ctx: Context) -> R:
    """A creation or replacement body as ``model``; raises pydantic's ValidationError, or
    Invalid for a body without ``schemas``."""
    _schemas_given(body, model.__schema__ or "")
    with POLICY:
        return model.model_validate(body, scim_ctx=ctx)


def patched(resource: R, body: Any) -> R:
    """A copy of ``resource`` with the PatchOp ``body`` applied (RFC 7644 §3.5.2); raises
    ValidationError, Invalid or a SCIMException naming what is wrong."""
    operation: Any = PatchOp[type(resource)]  # type: ignore[misc]
    _schemas_given(body, operation.__schema__)
    with POLICY:
        patch = operation.model_validate(body, scim_ctx=Context.RESOURCE_PATCH_REQUEST)
        changed = resource.model_copy(deep=True)
        patch.patch(changed)
    return changed


def meta(kind: str, row: Mapping[str, Any], location: str) -> Meta:
    return Meta(resource_type=kind, created=row["created_at"], last_modified=row["updated_at"],
                location=location, version=f'W/"{row["version"]}"')


def user_resource(row: Mapping[str, Any], base: str) -> ScimUser:
    """A directory row as a SCIM user. We keep one name, so its first word is shown as the
    given name and the rest as the family name."""
    email, name = row["email"], row["display_name"] or ""
    given, _, family = name.partition(" ")
    return ScimUser(
        id=row["id"], external_id=row["external_id"], user_name=email,
        display_name=name or None,
        name=Name(formatted=name, given_name=given, family_name=family or None) if name else None,
        active=row["status"] != "deactivated",
        # not validated again: an address single sign-on brought may not be one EmailStr takes
        emails=[Email.model_construct(value=email, type=Email.Type.work, primary=True)]
        if email else None,
        roles=[Role(value=role) for role in row["roles"]] or None,
        meta=meta("User", row, f"{base}/Users/{row['id']}"))


def current(row: Mapping[str, Any]) -> Person:
    return Person(row["email"], row["display_name"] or "", row["external_id"],
                  row["status"] != "deactivated")


# -- from a SCIM user to a person ---------------------------------------------------------------

def _work_email(resource: ScimUser | None) -> str | None:
    emails = [e for e in (resource.emails or []) if e.value] if resource else []
    chosen = (next((e for e in emails if e.primary), None)
              or next((e for e in emails if (e.type or "").lower() == "work"), None)
              or (emails[0] if emails else None))
    return chosen.value if chosen else None


def _names(resource: ScimUser | None) -> list[str | None]:
    """The display name's sources, the most explicit first."""
    if resource is None:
        return [None, None, None]
    name = resource.name
    parts = (name.given_name, name.family_name) if name else ()
    joined = " ".join(p.strip() for p in parts if p and p.strip())
    return [resource.display_name, name.formatted if name else None, joined or None]


def _changed(after: list[str | None], before: list[str | None] | None) -> list[str]:
    """The values the request gives anew, in order (all it gives, on creation)."""
    return [value.strip() for i, value in enumerate(after)
            if value and value.strip() and (before is None or value != before[i])]


def _address(candidates: list[str]) -> str | None:
    for candidate in candidates:
        try:
            return _EMAIL.validate_python(candidate)
        except ValidationError:
            continue
    return None


def person_of(after: ScimUser, before: ScimUser | None = None) -> Person:
    """The person ``after`` describes. The address is the ``userName``, or the work e-mail
    when the user name is not an address (it then stays the address, so that a directory
    holding different values does not switch it back and forth). On a change, the name is the
    new ``displayName``, else ``name.formatted``, else the given and family name."""
    email = _address([a for a in (after.user_name, _work_email(after)) if a]) or (
        before.user_name if before else None)
    if email is None:
        raise Invalid("userName: a person's user name is their e-mail address; give one")
    names = _changed(_names(after), _names(before) if before else None)
    name = names[0] if names else (before.display_name if before else None)
    name = name or email.split("@")[0]
    external_id = after.external_id if after.external_id is not None else (
        before.external_id if before else None)
    if len(name) > MAX_TEXT or len(external_id or "") > MAX_TEXT:
        raise Invalid(f"displayName and externalId: at most {MAX_TEXT} characters")
    active = after.active if after.active is not None else (
        before.active is not False if before else True)
    return Person(email, name, external_id, active)


# -- commands -----------------------------------------------------------------------------------

async def default_roles(deps: Identity, tenant_id: str) -> tuple[str, ...]:
    """The roles single sign-on gives newcomers, if configured; else coachee."""
    sso = (await organisations.load(deps, tenant_id)).sso
    return tuple(sso.default_roles) if sso is not None and sso.default_roles else ("coachee",)


async def create_user(deps: Identity, ctx: CommandContext, person: Person) -> tuple[str, int]:
    user_id, position = await people.provision(
        deps, ctx, email=person.email, display_name=person.display_name,
        roles=await default_roles(deps, ctx.tenant_id), source="scim",
        external_id=person.external_id)
    if not person.active:
        position = max(position, await people.deactivate(deps, ctx, user_id, DEPROVISIONED))
    return user_id, position


async def update_user(deps: Identity, ctx: CommandContext, user_id: str, before: Person,
                      after: Person) -> int:
    """Bring the person from ``before`` to ``after``; the position of the last change."""
    positions = [0]
    if after.active and not before.active:
        positions.append(await people.reactivate(deps, ctx, user_id))
    if (after.email, after.display_name, after.external_id) != (
            before.email, before.display_name, before.external_id):
        positions.append(await people.change_profile(
            deps, ctx, user_id,
            email=after.email if after.email != before.email else None,
            display_name=after.display_name if after.display_name != before.display_name
            else None,
            external_id=after.external_id if after.external_id != before.external_id else None))
    if before.active and not after.active:
        positions.append(await people.deactivate(deps, ctx, user_id, DEPROVISIONED))
    return max(positions)


async def deprovision(deps: Identity, ctx: CommandContext, user_id: str) -> int:
    """DELETE from the directory: deactivated, not erased (erasure is a compliance officer's
    decision), so their coaching history stays attributable."""
    return await people.deactivate(deps, ctx, user_id, DEPROVISIONED)
