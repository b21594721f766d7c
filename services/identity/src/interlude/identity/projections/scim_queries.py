"""Reads of the directory for SCIM clients: users and groups by id, and lists filtered with a
SCIM filter (RFC 7644 §3.4.2.2) that scim2-filter-parser turns into a WHERE clause.

Names, addresses and external ids are sealed in ``directory_users``: an address's or an
external id's equality (``userName eq``, ``emails eq``, ``externalId eq``, what Entra ID and
Okta ask) becomes an equality on its blind index; any other comparison of a name, an address or
an external id is made on the opened rows of the organisation instead
(:mod:`~interlude.identity.projections.scim_matching`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
from scim2_filter_parser import ast as scim_ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser
from scim2_filter_parser.transpilers.sql import Transpiler

from interlude.identity.projections.people_data import Opener
from interlude.identity.projections.scim_matching import matches

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:user"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:group"
MAX_FILTER = 1000


class FilterRefused(ValueError):
    """A filter that cannot be parsed, or names an attribute we cannot filter on."""


@dataclass(frozen=True)
class Column:
    sql: str
    folded: bool = False  # compared regardless of case (the attribute is not caseExact)
    sealed: bool = False  # only the opened row can answer, or for ``eq`` the blind index
    index: str | None = None  # ``eq`` is answered by this blind index (its kind) in ``sql``


# keys: (attribute, sub-attribute), lower case, since attribute names are case-insensitive
USER_COLUMNS: Mapping[tuple[str, str | None], Column] = {
    ("id", None): Column("u.user_id"),
    ("username", None): Column("u.email_index", sealed=True, index="email"),
    ("emails", None): Column("u.email_index", sealed=True, index="email"),
    ("emails", "value"): Column("u.email_index", sealed=True, index="email"),
    ("emails", "type"): Column("'work'", folded=True),  # the one address we keep is the work one
    ("emails", "primary"): Column("'true'", folded=True),
    ("externalid", None): Column("u.external_id_index", sealed=True, index="external_id"),
    ("displayname", None): Column("NULL", sealed=True),
    ("name", "formatted"): Column("NULL", sealed=True),
    ("active", None): Column("(CASE WHEN u.status = 'deactivated' THEN 'false' ELSE 'true' END)",
                             folded=True),
}
GROUP_COLUMNS: Mapping[tuple[str, str | None], Column] = {
    ("id", None): Column("g.group_id"),
    ("displayname", None): Column("lower(g.display_name)", folded=True),
    ("externalid", None): Column("g.external_id"),
    ("members", None): Column("member.value"),
    ("members", "value"): Column("member.value"),
}


class _Where(Transpiler):
    """The library's transpiler, but attribute names match regardless of case (RFC 7643 §2.1),
    and an attribute we do not know is refused rather than silently dropped (the library
    leaves it out, which would turn ``foo eq "x"`` into "everyone")."""

    def __init__(self, columns: Mapping[tuple[str, str | None], Column], schema: str,
                 index: Callable[[str, str], str] | None) -> None:
        super().__init__({})
        self._columns = columns
        self._schema = schema
        self._index = index
        self._last = Column("")
        self._like = False
        self.opening = False  # the database cannot answer: filter the opened rows

    def visit_AttrPath(self, node: scim_ast.AttrPath) -> str:
        name = str(node.attr_name)
        sub = node.sub_attr.value if node.sub_attr else None
        column = self._columns.get((name.lower(), sub.lower() if sub else None))
        if column is None or (node.uri and node.uri.lower() != self._schema):
            shown = f"{name}.{sub}" if sub else name
            raise FilterRefused(f"cannot filter on '{shown}'")
        self.attr_paths.append((name.lower(), sub))
        self._last = column
        return column.sql

    def visit_AttrExprValue(self, node: scim_ast.AttrExpr) -> str:
        self._like = str(node.value).lower() in self.matching_op_by_scim_op
        sql: str = super().visit_AttrExprValue(node)
        if self._last.sealed:
            if (self._last.index and self._index is not None and node.comp_value
                    and str(node.value).lower() == "eq"):
                last = sorted(self.params)[-1]  # the value just added: look up its index
                self.params[last] = self._index(self._last.index, str(self.params[last]))
            else:
                self.opening = True
            return sql
        if self._last.folded and node.comp_value and not node.case_insensitive:
            operator, _, placeholder = sql.rpartition(" ")
            sql = f"{operator} lower({placeholder})"
        return sql

    def visit_CompValue(self, node: scim_ast.CompValue) -> str:
        value = str(super().visit_CompValue(node))
        if self._like:  # co, sw and ew look for the text itself: % and _ are not wildcards
            value = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return value


@dataclass(frozen=True)
class Where:
    sql: str  # "" or " AND (...)"
    params: list[str]
    attributes: tuple[str, ...]
    tree: Any = None  # the parsed filter, for when the opened rows must be filtered
    opening: bool = False  # sql cannot answer (a sealed attribute): use tree on opened rows


def where(filter_: str | None, columns: Mapping[tuple[str, str | None], Column], schema: str,
          first: int, index: Callable[[str, str], str] | None = None) -> Where:
    """The WHERE clause of ``filter_``, its placeholders numbered from ``$first``; ``index``
    gives the blind index of a value of a kind (``email``, ``external_id``)."""
    if not filter_ or not filter_.strip():
        return Where("", [], ())
    if len(filter_) > MAX_FILTER:
        raise FilterRefused(f"the filter is longer than {MAX_FILTER} characters")
    transpiler = _Where(columns, schema, index)
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(filter_))
        # the transpiler rewrites the tree it is given: keep one untouched for matching
        sql, params = transpiler.transpile(SCIMParser().parse(SCIMLexer().tokenize(filter_)))
    except FilterRefused:
        raise
    except Exception as error:  # the lexer and the parser raise plain exceptions
        raise FilterRefused(f"the filter cannot be read: {error}") from None
    if not sql:
        raise FilterRefused("the filter cannot be read")
    names = [k for k in sorted(params) if params[k] is not None]
    numbered = sql.format(**{k: f"${first + i}" for i, k in enumerate(names)})
    return Where(f" AND ({numbered})", [str(params[k]) for k in names],
                 tuple(a for a, _ in transpiler.attr_paths), tree, transpiler.opening)


USER = ("u.user_id AS id, u.email, u.display_name, u.roles, u.status, u.external_id,"
        " u.created_at, u.updated_at, u.version")  # email and display_name: sealed
GROUP = ("g.group_id AS id, g.display_name, g.external_id, g.members, g.created_at,"
         " g.updated_at, g.version")


async def users(conn: asyncpg.Connection, opener: Opener, tenant_id: str, filter_: str | None,
                start: int, count: int) -> tuple[list[dict[str, Any]], int]:
    """A page of the organisation's people (``start`` is 1-based) and how many match."""
    clause = where(filter_, USER_COLUMNS, USER_SCHEMA, 2,
                   lambda kind, value: opener.indexes(kind, tenant_id, value))
    if clause.opening:
        return await _users_opened(conn, opener, tenant_id, clause, start, count)
    base = f"FROM directory_users u WHERE u.tenant_id = $1{clause.sql}"
    total = await conn.fetchval(  # everyone: the directory keeps the count
        "SELECT coalesce(sum(people), 0) FROM directory_counts WHERE tenant_id = $1"
        if not clause.sql else f"SELECT count(*) {base}", tenant_id, *clause.params)
    rows = [] if count == 0 else await conn.fetch(
        f"SELECT {USER} {base} ORDER BY u.created_at, u.user_id"
        f" LIMIT {int(count)} OFFSET {int(start) - 1}", tenant_id, *clause.params)
    return [await opener.row(tenant_id, dict(r)) for r in rows], int(total)


async def _users_opened(conn: asyncpg.Connection, opener: Opener, tenant_id: str,
                        clause: Where, start: int, count: int) -> tuple[list[dict[str, Any]], int]:
    """The filter on every opened row of the organisation: what no index can answer (a name
    that contains, an address that ends with) costs one opening per person."""
    rows = await conn.fetch(f"SELECT {USER} FROM directory_users u WHERE u.tenant_id = $1"
                            " ORDER BY u.created_at, u.user_id", tenant_id)
    found = [row for r in rows
             if matches(clause.tree, row := await opener.row(tenant_id, dict(r)))]
    return found[start - 1:start - 1 + count], len(found)


async def user(conn: asyncpg.Connection, opener: Opener, tenant_id: str,
               user_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {USER} FROM directory_users u WHERE u.tenant_id = $1"
                              " AND u.user_id = $2", tenant_id, user_id)
    return await opener.row(tenant_id, dict(row)) if row else None


async def groups(conn: asyncpg.Connection, tenant_id: str, filter_: str | None, start: int,
                 count: int) -> tuple[list[dict[str, Any]], int]:
    clause = where(filter_, GROUP_COLUMNS, GROUP_SCHEMA, 2)
    condition = clause.sql
    if "members" in clause.attributes:  # one row per member, so members[value eq "x"] works
        condition = (" AND EXISTS (SELECT 1 FROM (VALUES (1)) AS one LEFT JOIN"
                     f" unnest(g.members) AS member(value) ON true WHERE true{clause.sql})")
    base = f"FROM directory_groups g WHERE g.tenant_id = $1{condition}"
    total = await conn.fetchval(f"SELECT count(*) {base}", tenant_id, *clause.params)
    rows = [] if count == 0 else await conn.fetch(
        f"SELECT {GROUP} {base} ORDER BY g.created_at, g.group_id"
        f" LIMIT {int(count)} OFFSET {int(start) - 1}", tenant_id, *clause.params)
    return [dict(r) for r in rows], int(total)


async def group(conn: asyncpg.Connection, tenant_id: str,
                group_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {GROUP} FROM directory_groups g WHERE g.tenant_id = $1"
                              " AND g.group_id = $2", tenant_id, group_id)
    return dict(row) if row else None


async def group_named(conn: asyncpg.Connection, tenant_id: str, display_name: str,
                      other_than: str | None = None) -> str | None:
    """The id of the organisation's group of this name (case aside), if there is one."""
    found = await conn.fetchval(
        "SELECT group_id FROM directory_groups WHERE tenant_id = $1"
        " AND lower(display_name) = lower($2) AND group_id IS DISTINCT FROM $3 LIMIT 1",
        tenant_id, display_name, other_than)
    return str(found) if found else None


async def display_names(conn: asyncpg.Connection, opener: Opener, tenant_id: str,
                        user_ids: list[str]) -> dict[str, str | None]:
    """The names group members are shown with; a member who is gone has none."""
    if not user_ids:
        return {}
    rows = await conn.fetch("SELECT user_id, display_name FROM directory_users"
                            " WHERE tenant_id = $1 AND user_id = ANY($2::text[])",
                            tenant_id, list(set(user_ids)))
    return {r["user_id"]: (await opener.row(tenant_id, dict(r)))["display_name"] for r in rows}
