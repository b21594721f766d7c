"""Exports of an organisation's trail.

JSON Lines is verifiable offline: a ``keys`` line (the public keys, by key id), then every
``record`` (its exact canonical bytes as a string, its number and chain hash, and the columns
queries filter on, as stored), then every ``checkpoint`` the database holds (its exact signed
bytes and signature). Since all of it comes from the database, the offline verifier also takes
the checkpoints as published to JetStream, from elsewhere (``interlude-audit checkpoints``).
OCSF maps each record to an event class a SIEM understands (``domain.ocsf``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Literal

import asyncpg
import orjson

from interlude.audit.app.audit import Audit
from interlude.audit.domain.columns import COLUMNS
from interlude.audit.domain.ocsf import ocsf_of
from interlude.audit.domain.witness import Signed, as_lines
from interlude.audit.projections.queries import stored_checkpoints, stored_records
from interlude.audit.projections.tenancy import tenant_transaction
from interlude.shared.events.envelope import CommandContext


async def jsonl(pool: asyncpg.Pool, tenant_id: str,
                keys: list[dict[str, str]]) -> AsyncIterator[bytes]:
    async with tenant_transaction(pool, tenant_id, readonly=True) as conn:
        yield orjson.dumps({"type": "keys", "tenant_id": tenant_id, "keys": keys}) + b"\n"
        async for record in stored_records(conn, tenant_id, columns=True):
            yield orjson.dumps({"type": "record", "seq": record.seq,
                                # bytes a superuser left that are not UTF-8 cannot travel
                                # as they are: they arrive changed, and fail as changed
                                "record": record.record_bytes.decode("utf-8", "replace"),
                                "chain_hash": record.chain_hash.hex(),
                                "columns": dict(zip(COLUMNS, record.columns or (),
                                                    strict=True))}) + b"\n"
        for line in as_lines(await stored_checkpoints(conn, tenant_id)):
            yield line


async def ocsf(pool: asyncpg.Pool, tenant_id: str) -> AsyncIterator[bytes]:
    async with tenant_transaction(pool, tenant_id, readonly=True) as conn:
        async for record in stored_records(conn, tenant_id, columns=True):
            yield orjson.dumps(ocsf_of(record)) + b"\n"


async def export(audit: Audit, ctx: CommandContext,
                 format: Literal["jsonl", "ocsf"]) -> AsyncIterator[bytes]:
    """The caller's organisation's trail, in ``format``, to stream; the export is recorded
    before a byte of it leaves."""
    await audit.record_trail_access(ctx, f"export.{format}")
    if format == "jsonl":
        return jsonl(audit.pool, ctx.tenant_id, audit.public_jwks)
    return ocsf(audit.pool, ctx.tenant_id)


async def published(audit: Audit, ctx: CommandContext) -> list[Signed]:
    """The organisation's checkpoints as published to JetStream (not as the database holds
    them): what an export is verified against offline."""
    found = await audit.published(ctx.tenant_id)
    await audit.record_trail_access(ctx, "checkpoints")
    return found
