"""The trail's writes: records, checkpoints and the purge. Appending to one organisation's
chain: its head locked, the records numbered and hashed on from it, inserted in one statement,
the head moved. The caller holds a transaction scoped to the organisation
(``tenancy.act_for``); the head's row lock serialises appends for one organisation while
different organisations proceed in parallel.

Records go in with one ``INSERT ... SELECT FROM unnest(...)``: one round trip per batch, and
row-level security allows no ``COPY FROM``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from interlude.audit.domain.canonical import canonical_bytes
from interlude.audit.domain.checkpoint import Checkpoint, signing_bytes
from interlude.audit.domain.columns import columns_of
from interlude.audit.domain.hashing import GENESIS, chain_hash

_INSERT = """
INSERT INTO audit_records (tenant_id, seq, record, chain_hash, occurred_at, actor_id, action,
                           target_type, target_id, data_subjects, outcome, event_id)
SELECT $1, r.seq, r.record, r.chain_hash, r.occurred_at, r.actor_id, r.action, r.target_type,
       r.target_id, ARRAY(SELECT jsonb_array_elements_text(r.subjects)), r.outcome, r.event_id
FROM unnest($2::bigint[], $3::bytea[], $4::bytea[], $5::timestamptz[], $6::text[], $7::text[],
            $8::text[], $9::text[], $10::jsonb[], $11::text[], $12::text[])
     AS r(seq, record, chain_hash, occurred_at, actor_id, action, target_type, target_id,
          subjects, outcome, event_id)
"""


@dataclass(frozen=True)
class Head:
    """Where an organisation's chain stands: its last record and the first one kept."""

    seq: int
    chain_hash: bytes
    lower_bound: int
    anchor: bytes


async def locked_head(conn: asyncpg.Connection, tenant_id: str) -> Head | None:
    """The organisation's head, locked until the transaction ends; None before its first
    record."""
    row = await conn.fetchrow("SELECT seq, chain_hash, lower_bound, anchor FROM audit_heads"
                              " WHERE tenant_id = $1 FOR UPDATE", tenant_id)
    if row is None:
        return None
    return Head(int(row["seq"]), bytes(row["chain_hash"]), int(row["lower_bound"]),
                bytes(row["anchor"]))


async def lock_head(conn: asyncpg.Connection, tenant_id: str) -> Head:
    """The organisation's head, created at genesis if new, locked until the transaction ends."""
    await conn.execute("INSERT INTO audit_heads (tenant_id, seq, chain_hash, anchor)"
                       " VALUES ($1, 0, $2, $2) ON CONFLICT DO NOTHING", tenant_id, GENESIS)
    head = await locked_head(conn, tenant_id)
    assert head is not None
    return head


async def recorded(conn: asyncpg.Connection, tenant_id: str, event_ids: list[str]) -> set[str]:
    """Which of ``event_ids`` the organisation's trail already holds."""
    rows = await conn.fetch("SELECT event_id FROM audit_records WHERE tenant_id = $1"
                            " AND event_id = any($2)", tenant_id, event_ids)
    return {row["event_id"] for row in rows}


async def append(conn: asyncpg.Connection, tenant_id: str, head: Head,
                 records: Iterable[dict[str, Any]]) -> Head:
    """Number, hash and insert ``records`` (audit records without ``seq``) after ``head``;
    returns the new head."""
    seq, previous, denied = head.seq, head.chain_hash, 0
    columns: list[list[Any]] = [[] for _ in range(11)]
    for fields in records:
        seq += 1
        data = canonical_bytes({**fields, "seq": seq})
        previous = chain_hash(previous, data)
        # the columns queries filter on, derived as every verifier derives them again
        _, occurred_at, actor_id, action, target_type, target_id, subjects, outcome, \
            event_id = columns_of(fields)
        row = (seq, data, previous, occurred_at, actor_id, action, target_type, target_id,
               orjson.dumps(subjects).decode(), outcome, event_id)
        for column, value in zip(columns, row, strict=True):
            column.append(value)
        denied += outcome == "denied"
    if seq == head.seq:
        return head
    await conn.execute(_INSERT, tenant_id, *columns)
    # the head keeps the count of denied records (migration 0006): the query's counts
    await conn.execute("UPDATE audit_heads SET seq = $2, chain_hash = $3, denied = denied + $4"
                       " WHERE tenant_id = $1", tenant_id, seq, previous, denied)
    return Head(seq, previous, head.lower_bound, head.anchor)


async def store_checkpoint(conn: asyncpg.Connection, checkpoint: Checkpoint, signature: bytes,
                           now: datetime) -> None:
    """Store a signed checkpoint and note on the head how far the trail is signed."""
    await conn.execute(
        "INSERT INTO audit_checkpoints (tenant_id, size, body, signature, key_id, issued_at)"
        " VALUES ($1, $2, $3, $4, $5, $6)", checkpoint.tenant_id, checkpoint.size,
        signing_bytes(checkpoint), signature, checkpoint.key_id, now)
    await conn.execute("UPDATE audit_heads SET signed_size = $2, signed_at = $3"
                       " WHERE tenant_id = $1", checkpoint.tenant_id, checkpoint.size, now)


async def purge_before(conn: asyncpg.Connection, lower_bound: int) -> int:
    """Delete the organisation's records before ``lower_bound`` through ``audit_purge()``
    (migration 0002: it refuses a bound no checkpoint states); how many went."""
    return int(await conn.fetchval("SELECT audit_purge($1)", lower_bound))
