"""A person's own question to the trail: who has read my data, or tried to and was refused
(``domain.access_history`` says what they are shown). Asking is itself an access event."""

from __future__ import annotations

import orjson

from interlude.audit.app.audit import Audit
from interlude.audit.domain.access_history import AccessEntry, entry, reader_id
from interlude.audit.projections import queries
from interlude.shared import directory
from interlude.shared.events.envelope import CommandContext


async def history(audit: Audit, ctx: CommandContext, *, cursor: int | None,
                  limit: int) -> tuple[list[AccessEntry], int | None]:
    """A page of the reads of the caller's data, newest first, and the cursor of the next."""
    me = ctx.actor.id
    entries, more = await entries_about(audit, ctx.tenant_id, me, cursor=cursor, limit=limit)
    await audit.record_read(ctx, "access_history", me, me)
    return entries, entries[-1].seq if more and entries else None


async def entries_about(audit: Audit, tenant_id: str, subject_id: str, *,
                        cursor: int | None, limit: int) -> tuple[list[AccessEntry], bool]:
    """A page of the reads of ``subject_id``'s data as they are shown to them (newest first)
    and whether there are more; recorded by the caller."""
    rows, more = await queries.accesses_about(audit.pool, tenant_id, subject_id,
                                              audit.access_stream, cursor=cursor, limit=limit)
    records = [(int(r["seq"]), record) for r in rows
               if isinstance(record := _readable(bytes(r["record"])), dict)]
    shown = {i for _, record in records if (i := reader_id(record))}
    names = await directory.names(audit.pool, audit.sealer, tenant_id, shown) if shown else {}
    return [entry(seq, record, names) for seq, record in records], more


def _readable(data: bytes) -> object:
    """The record's fields; None for bytes that are no longer JSON (edited in the database:
    left out here, named by the trail's verification)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
