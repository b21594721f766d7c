"""The pure SCIM mapping: what Entra's and Okta's payloads change about a person or a group,
and how a filter becomes SQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError
from scim2_models import Context, SCIMException
from scim2_models import Group as ScimGroup

from interlude.identity.app.groups import Shape, shape_of, state_resource
from interlude.identity.app.scim import (
    Person,
    ScimUser,
    patched,
    person_of,
    user_resource,
    validated,
)
from interlude.identity.domain.errors import Invalid
from interlude.identity.domain.group import Group
from interlude.identity.projections.scim_matching import matches
from interlude.identity.projections.scim_queries import (
    GROUP_COLUMNS,
    GROUP_SCHEMA,
    USER_COLUMNS,
    USER_SCHEMA,
    FilterRefused,
    where,
)

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
ROW = {"id": "u1", "email": "ada@example.org", "display_name": "Ada Lovelace", "roles": ["coach"],
       "status": "active", "external_id": "entra-1", "created_at": NOW, "updated_at": NOW,
       "version": 7}
ADA = Person("ada@example.org", "Ada Lovelace", "entra-1", True)
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def ada(**changes: Any) -> ScimUser:
    return user_resource(ROW | changes, "https://identity.test/scim/v2")


def after_patch(*operations: dict[str, Any], before: ScimUser | None = None) -> Person:
    before = before or ada()
    body = {"schemas": [PATCH], "Operations": list(operations)}
    return person_of(patched(before, body), before)


def test_a_person_is_shown_with_their_address_as_user_name_and_work_email() -> None:
    shown = ada(status="deactivated").model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    assert shown["userName"] == "ada@example.org"
    assert shown["emails"] == [{"value": "ada@example.org", "type": "work", "primary": True}]
    assert shown["name"] == {"formatted": "Ada Lovelace", "givenName": "Ada",
                             "familyName": "Lovelace"}
    assert shown["active"] is False
    assert shown["meta"]["version"] == 'W/"7"'
    assert shown["meta"]["location"] == "https://identity.test/scim/v2/Users/u1"


def test_entra_disables_with_a_capitalised_op_and_a_string_boolean() -> None:
    assert after_patch({"op": "Replace", "path": "active", "value": "False"}) == Person(
        "ada@example.org", "Ada Lovelace", "entra-1", False)


def test_okta_disables_with_a_value_object() -> None:
    assert after_patch({"op": "replace", "value": {"active": False}}).active is False


def test_a_new_given_name_keeps_the_family_name() -> None:
    changed = after_patch({"op": "Replace", "path": "name.givenName", "value": "Augusta"})
    assert changed.display_name == "Augusta Lovelace"


def test_a_new_display_name_wins_over_new_name_parts() -> None:
    changed = after_patch({"op": "Replace", "path": "name.familyName", "value": "King"},
                          {"op": "Replace", "path": "displayName", "value": "Countess"})
    assert changed.display_name == "Countess"


def test_the_user_name_is_the_address_whatever_the_work_email_says() -> None:
    renamed = after_patch({"op": "replace", "path": "userName", "value": "a@newco.org"},
                          {"op": "Replace", "path": 'emails[type eq "work"].value',
                           "value": "ada@newco.org"})
    assert renamed.email == "a@newco.org"
    assert after_patch({"op": "Replace", "path": 'emails[type eq "work"].value',
                        "value": "ada@newco.org"}) == ADA


def test_attributes_we_do_not_keep_change_nothing() -> None:
    assert after_patch(
        {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:"
         "department", "value": "Research"},
        {"op": "Add", "path": 'phoneNumbers[type eq "work"].value', "value": "+44 20 1234"},
        {"op": "Replace", "path": "title", "value": "Analyst"}) == ADA


def test_a_user_name_that_is_not_an_address_leaves_the_address() -> None:
    assert after_patch({"op": "replace", "path": "userName", "value": "ada"}) == ADA


def test_impossible_patches_are_refused() -> None:
    for operation in ({"op": "move", "path": "active"}, {"op": "remove"},
                      {"op": "replace", "path": "active", "value": [1, 2]}):
        with pytest.raises((ValidationError, SCIMException)):
            after_patch(operation)


def test_a_new_person_is_named_from_what_the_directory_gives() -> None:
    def created(body: dict[str, Any]) -> Person:
        return person_of(validated(ScimUser, {"schemas": [USER], **body},
                                   Context.RESOURCE_CREATION_REQUEST))

    assert created({"userName": "grace@example.org",
                    "name": {"givenName": "Grace", "familyName": "Hopper"}}) == Person(
        "grace@example.org", "Grace Hopper", None, True)
    assert created({"userName": "GHOPPER", "active": "false",
                    "emails": [{"value": "grace@example.org", "type": "work"}]}) == Person(
        "grace@example.org", "grace", None, False)
    with pytest.raises(Invalid):
        created({"userName": "ghopper"})


@pytest.mark.parametrize("context", [Context.RESOURCE_CREATION_REQUEST,
                                     Context.RESOURCE_REPLACEMENT_REQUEST])
@pytest.mark.parametrize("schemas", [{}, {"schemas": []}, {"schemas": None}])
def test_a_user_without_schemas_is_refused_naming_them(context: Context,
                                                      schemas: dict[str, Any]) -> None:
    # RFC 7643 §3: schemas is REQUIRED; scim2-models checks the URIs given, not their absence
    with pytest.raises(Invalid, match=r'^schemas: required, e\.g\. \["' + USER):
        validated(ScimUser, {"userName": "grace@example.org", **schemas}, context)


def test_a_patch_without_schemas_is_refused_naming_them() -> None:
    with pytest.raises(Invalid, match=r'^schemas: required, e\.g\. \["' + PATCH):
        patched(ada(), {"Operations": [{"op": "replace", "path": "active", "value": False}]})


def group_patch(*operations: dict[str, Any], members: tuple[str, ...] = ("u1", "u2")) -> Shape:
    state = Group(exists=True, display_name="coach", external_id="g-1", members=members)
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": list(operations)}
    return shape_of(patched(state_resource("g1", state), body))


def test_members_are_added_and_removed_the_ways_entra_and_okta_send_them() -> None:
    assert group_patch({"op": "Add", "path": "members",
                        "value": [{"value": "u3"}, {"value": "u1"}]}).members == ("u1", "u2", "u3")
    assert group_patch({"op": "Remove", "path": "members",
                        "value": [{"value": "u1"}]}).members == ("u2",)
    assert group_patch({"op": "remove", "path": 'members[value eq "u2"]'}).members == ("u1",)
    assert group_patch({"op": "replace", "value": {"id": "g1", "displayName": "Coaches"}}
                       ) == Shape("Coaches", "g-1", ("u1", "u2"))


def test_a_group_cannot_hold_another_group_or_lose_its_name() -> None:
    with pytest.raises(Invalid):
        shape_of(ScimGroup.model_validate(
            {"displayName": "all", "members": [{"value": "g2", "type": "Group"}]}))
    with pytest.raises(Invalid):
        group_patch({"op": "replace", "path": "displayName", "value": " "})


def test_filters_become_parameterised_sql_regardless_of_attribute_case() -> None:
    found = where('USERNAME eq "Ada@Example.org" or externalId eq "e\'1"', USER_COLUMNS,
                  USER_SCHEMA, 2, index=lambda kind, value: f"{kind}-index-of-{value}")
    # the address and the external id are sealed: their equality is that of their blind index
    assert found.sql == " AND ((u.email_index = $2) OR (u.external_id_index = $3))"
    assert found.params == ["email-index-of-Ada@Example.org", "external_id-index-of-e'1"]
    assert not found.opening
    member = where('members[value eq "u1"]', GROUP_COLUMNS, GROUP_SCHEMA, 2)
    assert (member.sql, member.attributes) == (" AND (member.value = $2)", ("members",))


def test_a_name_is_compared_on_the_opened_rows_and_contains_looks_for_the_text_itself() -> None:
    found = where('displayName co "50%_off"', USER_COLUMNS, USER_SCHEMA, 2)
    assert found.opening  # names are sealed: SQL cannot compare them
    assert matches(found.tree, {**ROW, "display_name": "Get 50%_OFF now"})
    assert not matches(found.tree, {**ROW, "display_name": "Get 50 percent off"})


@pytest.mark.parametrize("filter_", ['password eq "x"', 'name.givenName eq "Ada"',
                                     'urn:example:userName eq "x"', "userName eq", "((",
                                     "x" * 1001])
def test_filters_we_cannot_answer_are_refused_rather_than_ignored(filter_: str) -> None:
    with pytest.raises(FilterRefused):
        where(filter_, USER_COLUMNS, USER_SCHEMA, 2)
