"""Reads of the directory, for org_admins and compliance officers (the people API) and for an
organisation's SCIM client: route → here → SQL in ``projections/`` → names, addresses and
external ids opened for the reader. A read may first wait (bounded) for the directory's
projection to reach a position a write answered."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from interlude.identity.app.deps import Identity
from interlude.identity.domain.errors import Invalid, NotFound
from interlude.identity.projections import queries, scim_queries
from interlude.identity.projections.scim_queries import FilterRefused

__all__ = ["FilterRefused"]  # a SCIM filter refused: the API answers invalidFilter
Row = dict[str, Any]
SCIM_FRESHNESS = 2.0  # how long a SCIM filter waits for writes made just before it, at most


async def caught_up(deps: Identity, after: int | None, timeout: float | None = None) -> bool:
    """Whether the directory has seen position ``after`` (waiting for it, bounded); True
    without a position, or outside an API process."""
    if not after or deps.read_models is None:
        return True
    read_models = deps.read_models
    if timeout is None:
        return await read_models.caught_up(after)
    return await read_models.waiter.wait(read_models.consumer, read_models.stream, after,
                                         timeout=timeout)


async def users(deps: Identity, tenant_id: str, status: str | None, limit: int, offset: int,
                cursor: str | None = None) -> tuple[list[Row], int, str | None]:
    """A page of the organisation's people, how many there are, and the cursor of the next
    page (None at the end): ``cursor`` pages at the cost of a page however deep it goes."""
    after = decode_cursor(cursor) if cursor else None
    async with deps.pool.acquire() as conn:
        rows, total = await queries.users(conn, deps.opener, tenant_id, status, limit, offset,
                                          after)
    last = rows[-1] if len(rows) == limit else None
    return rows, total, encode_cursor(last["created_at"], last["id"]) if last else None


def encode_cursor(created_at: datetime, user_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), user_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, user_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(at), str(user_id)
    except (ValueError, TypeError, binascii.Error):
        raise Invalid("cursor: not one a page of people gave; start again without it") from None


async def named(deps: Identity, tenant_id: str, role: str, limit: int) -> list[Row]:
    """Who a coach may name: the active coachees (a contract to propose), sponsors (named in
    one) or coaches (a peer circle to invite to), by name only; the forgotten (no name any
    more) are left out."""
    async with deps.pool.acquire() as conn:
        found = await queries.named(conn, deps.opener, tenant_id, role, limit)
    return [row for row in found if row["display_name"]]


async def user(deps: Identity, tenant_id: str, user_id: str) -> Row:
    async with deps.pool.acquire() as conn:
        found = await queries.user(conn, deps.opener, tenant_id, user_id)
    if found is None:
        raise NotFound("there is no such user")
    return found


# -- SCIM ----------------------------------------------------------------------------------------

async def scim_caught_up_now(deps: Identity) -> None:
    """A filter sees what was written before it was asked (someone invited a moment ago is
    found, not created twice); after a short wait it answers with what the directory has."""
    await caught_up(deps, await deps.users.store.last_position(), timeout=SCIM_FRESHNESS)


async def scim_users(deps: Identity, tenant_id: str, filter_: str | None, start: int,
                     count: int) -> tuple[list[Row], int]:
    """A page of the organisation's people matching a SCIM filter, and how many match."""
    await scim_caught_up_now(deps)
    async with deps.pool.acquire() as conn:
        return await scim_queries.users(conn, deps.opener, tenant_id, filter_, start, count)


async def scim_user(deps: Identity, tenant_id: str, user_id: str, fresh: bool = False) -> Row:
    """The person as the directory has them; ``fresh``, or when the directory has not heard
    of them yet (someone invited a moment ago), once it has caught up with their events."""
    if fresh:
        await _caught_up_with(deps, tenant_id, user_id)
    row = await _read_user(deps, tenant_id, user_id)
    if row is None and not fresh and await _caught_up_with(deps, tenant_id, user_id):
        row = await _read_user(deps, tenant_id, user_id)
    if row is None:
        raise NotFound("there is no such user in your organisation")
    return row


async def _read_user(deps: Identity, tenant_id: str, user_id: str) -> Row | None:
    async with deps.pool.acquire() as conn:
        return await scim_queries.user(conn, deps.opener, tenant_id, user_id)


async def _caught_up_with(deps: Identity, tenant_id: str, user_id: str) -> bool:
    """Wait for the directory to apply all of the person's events; False if there is none."""
    loaded = await deps.users.load(tenant_id, user_id)
    await caught_up(deps, loaded.version)
    return loaded.state.exists


async def scim_groups(deps: Identity, tenant_id: str, filter_: str | None, start: int,
                      count: int) -> tuple[list[Row], dict[str, str | None], int]:
    """A page of the organisation's groups, their members' names, and how many match."""
    await scim_caught_up_now(deps)
    async with deps.pool.acquire() as conn:
        rows, total = await scim_queries.groups(conn, tenant_id, filter_, start, count)
        names = await scim_queries.display_names(conn, deps.opener, tenant_id,
                                                 [m for r in rows for m in r["members"]])
    return rows, names, total


async def scim_group(deps: Identity, tenant_id: str,
                     group_id: str) -> tuple[Row, dict[str, str | None]]:
    """The group and its members' names."""
    async with deps.pool.acquire() as conn:
        row = await scim_queries.group(conn, tenant_id, group_id)
        if row is None:
            raise NotFound("there is no such group in your organisation")
        names = await scim_queries.display_names(conn, deps.opener, tenant_id, row["members"])
    return row, names


async def group_named(deps: Identity, tenant_id: str, display_name: str) -> str | None:
    """The id of the organisation's group of this name (case aside), if there is one."""
    async with deps.pool.acquire() as conn:
        return await scim_queries.group_named(conn, tenant_id, display_name)
