"""Where each person's e-mail goes: the address identity sealed under their key (its events'
``email``, as ``interlude.shared.events.published`` reads them), kept sealed and opened only to
send. Erasure deletes the row (the shredded key had made it unreadable already)."""

from __future__ import annotations

import asyncpg

from interlude.shared.events import published
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.sealed import kept, opened_or_none
from interlude.shared.sealing import Sealer

_UPSERT = ("INSERT INTO email_addresses (tenant_id, user_id, address) VALUES ($1, $2, $3::jsonb)"
           " ON CONFLICT (tenant_id, user_id) DO UPDATE SET address = excluded.address")


class Addresses(Projection):
    name = "notify-addresses"
    tables = ("email_addresses",)
    reads = (published.identity,)
    handles = ("identity.UserInvited", "identity.UserProvisioned", "identity.ProfileChanged",
               "identity.SubjectForgotten")

    async def _keep(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.event
        assert isinstance(e, published.UserInvited | published.UserProvisioned
                          | published.ProfileChanged)
        if e.email is not None:
            await conn.execute(_UPSERT, event.tenant_id, e.user_id, kept(e.email))

    on_user_invited = on_user_provisioned = on_profile_changed = _keep

    async def on_subject_forgotten(self, conn: asyncpg.Connection,
                                   event: RecordedEvent) -> None:
        await conn.execute("DELETE FROM email_addresses WHERE tenant_id = $1 AND user_id = $2",
                           event.tenant_id, event.of(published.SubjectForgotten).subject_id)


async def address(pool: asyncpg.Pool | asyncpg.Connection, sealer: Sealer, tenant_id: str,
                  user_id: str) -> str | None:
    """The address opened to send to it; None if unknown or its owner was forgotten."""
    stored = await pool.fetchval("SELECT address FROM email_addresses WHERE tenant_id = $1"
                                 " AND user_id = $2", tenant_id, user_id)
    return await opened_or_none(sealer, tenant_id, stored)
