"""A SCIM filter evaluated on opened directory rows: for the comparisons the database cannot
make on sealed names and addresses (anything but an address's equality, which the blind index
answers). The tree is one :func:`~interlude.identity.projections.scim_queries.where` already
checked, so every attribute in it is known."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scim2_filter_parser import ast as scim_ast

Key = tuple[str, str | None]

# where each filterable attribute of a user is found in an opened row
USER_VALUES: Mapping[Key, Any] = {
    ("id", None): lambda r: r["id"],
    ("username", None): lambda r: r["email"],
    ("emails", None): lambda r: r["email"],
    ("emails", "value"): lambda r: r["email"],
    ("emails", "type"): lambda r: "work",
    ("emails", "primary"): lambda r: True,
    ("externalid", None): lambda r: r["external_id"],
    ("displayname", None): lambda r: r["display_name"],
    ("name", "formatted"): lambda r: r["display_name"],
    ("active", None): lambda r: r["status"] != "deactivated",
}
CASE_EXACT = {("id", None), ("externalid", None)}


def matches(node: Any, row: dict[str, Any], namespace: Any = None) -> bool:
    """Whether ``row`` passes the filter ``node`` (NULL compares false, as in SQL)."""
    if isinstance(node, scim_ast.Filter):
        found = matches(node.expr, row, node.namespace or namespace)
        return not found if node.negated else found
    if isinstance(node, scim_ast.LogExpr):
        first = matches(node.expr1, row, namespace)
        if str(node.op).lower() == "and":
            return first and matches(node.expr2, row, namespace)
        return first or matches(node.expr2, row, namespace)
    assert isinstance(node, scim_ast.AttrExpr)
    path = node.attr_path
    if isinstance(path.attr_name, scim_ast.Filter):  # emails[type eq "work"].value eq "x"
        inner = path.attr_name
        if not matches(inner, row):
            return False
        key = _key(inner.namespace, None)
    else:
        key = _key(path, namespace)
    wanted = node.comp_value.value if node.comp_value else None
    return _compare(str(node.value).lower(), USER_VALUES[key](row), wanted,
                    key not in CASE_EXACT)


def _key(path: Any, namespace: Any) -> Key:
    if namespace is not None and not path.sub_attr:  # inside emails[...]: emails.type
        return str(namespace.attr_name).lower(), str(path.attr_name).lower()
    sub = path.sub_attr.value if path.sub_attr else None
    return str(path.attr_name).lower(), sub.lower() if sub else None


def _compare(op: str, actual: Any, wanted: Any, folded: bool) -> bool:
    if op == "pr":
        return actual not in (None, "")
    if actual is None or wanted is None:
        return False
    if isinstance(actual, bool):
        actual = "true" if actual else "false"
    have, want = str(actual), str(wanted)
    if folded:
        have, want = have.lower(), want.lower()
    checks = {"eq": have == want, "ne": have != want, "co": want in have,
              "sw": have.startswith(want), "ew": have.endswith(want), "gt": have > want,
              "ge": have >= want, "lt": have < want, "le": have <= want}
    return checks[op]
