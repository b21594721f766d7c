"""audit's reads of its own tables (the trail, its checkpoints, the signing status) and of the
trust read model: every SQL query the app layer runs, none of it writing. The caller scopes
the transaction to one organisation (``tenancy.tenant_transaction``) wherever row-level
security applies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg
import orjson

from interlude.audit.domain.checkpoint import Checkpoint
from interlude.audit.domain.columns import COLUMNS
from interlude.audit.domain.head import StoredHead
from interlude.audit.domain.model import Failure, StoredRecord
from interlude.audit.projections.tenancy import tenant_transaction
from interlude.shared.policy import SecurityPolicy

_COLUMNS = ", ".join(COLUMNS)
Order = Literal["newest", "oldest"]


@dataclass(frozen=True)
class Filters:
    """What a compliance officer filters the trail by (None: any)."""

    actor: str | None = None
    subject: str | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    outcome: Literal["succeeded", "denied"] | None = None
    since: datetime | None = None
    until: datetime | None = None

    def where(self, tenant_id: str) -> tuple[str, list[Any]]:
        clauses: list[str] = ["tenant_id = $1"]
        args: list[Any] = [tenant_id]
        for column, value, op in (
                ("actor_id", self.actor, "="), ("data_subjects", self.subject, "@>"),
                ("action", self.action, "="), ("target_type", self.target_type, "="),
                ("target_id", self.target_id, "="), ("outcome", self.outcome, "="),
                ("occurred_at", self.since, ">="), ("occurred_at", self.until, "<")):
            if value is None:
                continue
            args.append([value] if op == "@>" else value)
            clauses.append(f"{column} {op} ${len(args)}")
        return " AND ".join(clauses), args


@dataclass(frozen=True)
class Page:
    """One page of matching records (as stored, newest or oldest first) and the counts of all
    the matching ones by outcome."""

    rows: list[asyncpg.Record]
    more: bool
    by_outcome: dict[str, int]


async def search(pool: asyncpg.Pool, tenant_id: str, filters: Filters, *, order: Order,
                 cursor: int | None, limit: int) -> Page:
    where, args = filters.where(tenant_id)
    page_where, args_page = where, list(args)
    if cursor is not None:
        args_page.append(cursor)
        page_where += f" AND seq {'<' if order == 'newest' else '>'} ${len(args_page)}"
    direction = "DESC" if order == "newest" else "ASC"
    async with tenant_transaction(pool, tenant_id, readonly=True) as conn:
        rows = await conn.fetch(
            f"SELECT seq, record, chain_hash FROM audit_records WHERE {page_where}"
            f" ORDER BY seq {direction} LIMIT {int(limit) + 1}", *args_page)
        if filters == Filters():  # the whole trail: counted on its head as it was appended
            counts = await conn.fetch(
                "SELECT o.outcome, o.n FROM audit_heads h, LATERAL (VALUES"
                " ('succeeded', h.seq - h.lower_bound + 1 - h.denied), ('denied', h.denied))"
                " AS o(outcome, n) WHERE h.tenant_id = $1 AND o.n > 0", tenant_id)
        else:  # a filtered count costs what the filter matches
            counts = await conn.fetch(f"SELECT outcome, count(*) AS n FROM audit_records"
                                      f" WHERE {where} GROUP BY outcome", *args)
    return Page(rows[:limit], len(rows) > limit, {r["outcome"]: int(r["n"]) for r in counts})


async def stored_records(conn: asyncpg.Connection, tenant_id: str, after: int | None = None,
                         batch: int = 5000, *,
                         columns: bool = False) -> AsyncIterator[StoredRecord]:
    """The organisation's records in number order (after ``after``; by default every one, a
    row numbered 0 or below that only a superuser could have written included), read in
    batches; with ``columns``, each with the columns queries filter on (what the verifiers
    check against the bytes)."""
    extra = f", {_COLUMNS}" if columns else ""
    while True:
        since, args = ("", ()) if after is None else (" AND seq > $3", (after,))
        rows = await conn.fetch(
            f"SELECT seq, record, chain_hash{extra} FROM audit_records WHERE tenant_id = $1"
            f"{since} ORDER BY seq LIMIT $2", tenant_id, batch, *args)
        for row in rows:
            yield StoredRecord(tenant_id, int(row["seq"]), bytes(row["record"]),
                               bytes(row["chain_hash"]), row[3:] if columns else None)
        if len(rows) < batch:
            return
        after = int(rows[-1]["seq"])


async def stored_checkpoints(conn: asyncpg.Connection, tenant_id: str, *,
                             issued_after: datetime | None = None
                             ) -> list[tuple[Checkpoint, bytes]]:
    """The organisation's stored checkpoints in the order of issue (those issued after
    ``issued_after``, if given)."""
    readable, _ = await checked_checkpoints(conn, tenant_id, issued_after=issued_after)
    return readable


async def checked_checkpoints(conn: asyncpg.Connection, tenant_id: str, *,
                              issued_after: datetime | None = None
                              ) -> tuple[list[tuple[Checkpoint, bytes]], list[Failure]]:
    """``stored_checkpoints``, and a ``bad-checkpoint`` failure for each row whose bytes are
    no longer a checkpoint (edited in the database: the verifier names it, never raises)."""
    rows = await conn.fetch("SELECT size, issued_at, body, signature FROM audit_checkpoints"
                            " WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR issued_at > $2)"
                            " ORDER BY issued_at, size", tenant_id, issued_after)
    readable, unreadable = [], []
    for row in rows:
        try:
            readable.append((checkpoint_of(bytes(row["body"])), bytes(row["signature"])))
        except ValueError as error:
            unreadable.append(Failure(
                int(row["size"]), "bad-checkpoint",
                f"the stored checkpoint at size {row['size']} (issued "
                f"{row['issued_at'].isoformat()}) cannot be read, its signed bytes were edited "
                f"in the database: {error}"))
    return readable, unreadable


async def stored_head(conn: asyncpg.Connection, tenant_id: str) -> StoredHead | None:
    """The organisation's head row as stored (None: there is none)."""
    row = await conn.fetchrow("SELECT seq, chain_hash, lower_bound FROM audit_heads"
                              " WHERE tenant_id = $1", tenant_id)
    if row is None:
        return None
    return StoredHead(int(row["seq"]), bytes(row["chain_hash"]), int(row["lower_bound"]))


def checkpoint_of(body: bytes) -> Checkpoint:
    """The checkpoint of its signed bytes; ValueError when they are not one."""
    data = orjson.loads(body)
    if not isinstance(data, dict):
        raise ValueError(f"not a checkpoint: a JSON {type(data).__name__}, not an object")
    return Checkpoint.from_dict(data)


async def signing_status(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    """Every organisation's head and last signature (``tenant_id``, ``seq``, ``signed_size``,
    ``signed_at``): the one read across organisations, through ``audit_signing_status()``."""
    return await pool.fetch("SELECT tenant_id, seq, signed_size, signed_at"
                            " FROM audit_signing_status()")


async def first_kept(conn: asyncpg.Connection, tenant_id: str, lower_bound: int,
                     older_than: datetime) -> int | None:
    """The first record at or after ``lower_bound`` that is not older than ``older_than``."""
    found = await conn.fetchval(
        "SELECT seq FROM audit_records WHERE tenant_id = $1 AND seq >= $2"
        " AND occurred_at >= $3 ORDER BY seq LIMIT 1", tenant_id, lower_bound, older_than)
    return None if found is None else int(found)


async def chain_hash_at(conn: asyncpg.Connection, tenant_id: str, seq: int) -> bytes:
    found = await conn.fetchval("SELECT chain_hash FROM audit_records WHERE tenant_id = $1"
                                " AND seq = $2", tenant_id, seq)
    return bytes(found)


async def known_retention(pool: asyncpg.Pool, tenant_id: str) -> tuple[int, int] | None:
    """(``data.retention_days``, policy version) of the organisation's security policy as this
    service knows it (the trust read model), or None when it knows none."""
    try:
        row = await pool.fetchrow("SELECT version, policy FROM trust_policies"
                                  " WHERE tenant_id = $1", tenant_id)
    except asyncpg.UndefinedTableError:  # audit has not run yet: it knows no policy
        return None
    if row is None:
        return None
    policy = SecurityPolicy.from_wire(orjson.loads(row["policy"]))
    return policy.data_retention_days, int(row["version"])


async def accesses_about(pool: asyncpg.Pool, tenant_id: str, subject_id: str,
                         access_stream: str, *, cursor: int | None,
                         limit: int) -> tuple[list[asyncpg.Record], bool]:
    """The records of reads of ``subject_id``'s data, and of attempts refused, by anyone but
    themselves, newest first: the records that came from the access stream (``source.stream``
    in the hashed bytes: a column can be edited, the bytes cannot without the chain breaking)
    and name them among their data subjects. (rows, whether there are more).

    The stream is found in the bytes as its canonical ``"stream":"<name>"`` (only ``source``
    has that key), not by casting them to JSON: bytes a superuser made into something that is
    not JSON, or not UTF-8, would fail the whole query, and everyone they name would get a 500
    instead of their history."""
    stated = orjson.dumps({"stream": access_stream})[1:-1]
    async with tenant_transaction(pool, tenant_id, readonly=True) as conn:
        rows = await conn.fetch(
            "SELECT seq, record FROM audit_records WHERE tenant_id = $1"
            " AND data_subjects @> ARRAY[$2::text] AND actor_id <> $2"
            " AND position($3::bytea IN record) > 0"
            " AND ($4::bigint IS NULL OR seq < $4)"
            f" ORDER BY seq DESC LIMIT {int(limit) + 1}",
            tenant_id, subject_id, stated, cursor)
    return rows[:limit], len(rows) > limit


async def known_policies(pool: asyncpg.Pool) -> list[tuple[str, int, int]]:
    """(organisation, ``data.retention_days``, policy version) of every organisation whose
    policy this service knows (the trust read model): the retention job's round."""
    try:
        rows = await pool.fetch("SELECT tenant_id, version, policy FROM trust_policies"
                                " ORDER BY tenant_id")
    except asyncpg.UndefinedTableError:  # audit has not run yet: it knows no policy
        return []
    return [(r["tenant_id"],
             SecurityPolicy.from_wire(orjson.loads(r["policy"])).data_retention_days,
             int(r["version"])) for r in rows]
