"""Where each person's e-mail goes: the address identity sealed under their key, kept sealed
and opened only to send. The shared directory keeps names, not addresses, so notify reads the
address fields of identity's events through contracts of its own (tolerant readers, like
``interlude.shared.events.published``)."""

from __future__ import annotations

from typing import Any

import asyncpg
from pydantic import ConfigDict

from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.sealed import kept, opened_or_none
from interlude.shared.sealing import Sealer, Secret

identity_addresses = EventRegistry()


class _Published(Event):
    model_config = ConfigDict(extra="ignore")


@identity_addresses.event("identity.UserInvited")
class UserInvited(_Published):
    user_id: str
    email: Secret


@identity_addresses.event("identity.UserProvisioned", version=2)
class UserProvisioned(_Published):
    user_id: str
    email: Secret


@identity_addresses.event("identity.ProfileChanged", version=2)
class ProfileChanged(_Published):
    user_id: str
    email: Secret | None = None


@identity_addresses.event("identity.SubjectForgotten")
class SubjectForgotten(_Published):
    subject_id: str


@identity_addresses.upcaster("identity.UserProvisioned", from_version=1)
@identity_addresses.upcaster("identity.ProfileChanged", from_version=1)
def _same_fields(payload: dict[str, Any]) -> dict[str, Any]:
    return payload  # v2 sealed external_id, which is not read here


_UPSERT = ("INSERT INTO email_addresses (tenant_id, user_id, address) VALUES ($1, $2, $3::jsonb)"
           " ON CONFLICT (tenant_id, user_id) DO UPDATE SET address = excluded.address")


class Addresses(Projection):
    name = "notify-addresses"
    tables = ("email_addresses",)
    reads = (identity_addresses,)

    async def _keep(self, conn: asyncpg.Connection, event: RecordedEvent, user_id: str,
                    email: Secret | None) -> None:
        if email is not None:
            await conn.execute(_UPSERT, event.tenant_id, user_id, kept(email))

    async def on_user_invited(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.of(UserInvited)
        await self._keep(conn, event, e.user_id, e.email)

    async def on_user_provisioned(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.of(UserProvisioned)
        await self._keep(conn, event, e.user_id, e.email)

    async def on_profile_changed(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        e = event.of(ProfileChanged)
        await self._keep(conn, event, e.user_id, e.email)

    async def on_subject_forgotten(self, conn: asyncpg.Connection,
                                   event: RecordedEvent) -> None:
        await conn.execute("DELETE FROM email_addresses WHERE tenant_id = $1 AND user_id = $2",
                           event.tenant_id, event.of(SubjectForgotten).subject_id)


async def address(pool: asyncpg.Pool | asyncpg.Connection, sealer: Sealer, tenant_id: str,
                  user_id: str) -> str | None:
    """The address opened to send to it; None if unknown or its owner was forgotten."""
    stored = await pool.fetchval("SELECT address FROM email_addresses WHERE tenant_id = $1"
                                 " AND user_id = $2", tenant_id, user_id)
    return await opened_or_none(sealer, tenant_id, stored)
