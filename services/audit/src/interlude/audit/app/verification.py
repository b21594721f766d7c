"""Verifying an organisation's trail as the database holds it, against the checkpoints
published to JetStream (``GET /v1/audit/verify``, ``interlude-audit verify --tenant``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from interlude.audit.domain.model import Verification
from interlude.audit.domain.verify import ChainVerifier
from interlude.audit.domain.witness import Signed, identity
from interlude.audit.projections.queries import (
    checked_checkpoints,
    stored_checkpoints,
    stored_head,
    stored_records,
)
from interlude.audit.projections.tenancy import tenant_transaction
from interlude.shared.events.envelope import CommandContext

if TYPE_CHECKING:
    from interlude.audit.app.audit import Audit

Published = Callable[[str], Awaitable[list[Signed]]]
"""An organisation's checkpoints as published to JetStream (``adapters.witness``)."""


async def verify_on(conn: asyncpg.Connection, tenant_id: str,
                    public_keys: Mapping[str, Ed25519PublicKey],
                    published: list[Signed]) -> Verification:
    """The verifier over what ``conn`` sees of one organisation's trail, streamed, held
    against the checkpoints ``published`` (read before ``conn``'s snapshot was taken)."""
    checkpoints, unreadable = await checked_checkpoints(conn, tenant_id)
    verifier = ChainVerifier(checkpoints, public_keys, tenant_id=tenant_id, published=published,
                             unreadable=unreadable)
    async for record in stored_records(conn, tenant_id, columns=True):
        verifier.feed(record)
    verifier.hold_to_head(await stored_head(conn, tenant_id))
    return verifier.result()


async def verify_tenant(pool: asyncpg.Pool, tenant_id: str,
                        public_keys: Mapping[str, Ed25519PublicKey],
                        published: Published) -> Verification:
    """The verifier over what the database holds for one organisation, as of one moment, held
    against what JetStream holds.

    The published checkpoints are read first: each was stored before it was published, so
    every one of them must be in the snapshot taken after. A checkpoint signed in between is
    in the snapshot but was not yet published when read: the stream is read again for those.
    """
    before = await published(tenant_id)
    async with tenant_transaction(pool, tenant_id, readonly=True) as conn:
        seen = {identity(p) for p in before}
        stored = {identity(s) for s in await stored_checkpoints(conn, tenant_id)}
        if stored - seen:
            # only the ones the snapshot holds: a later one would look missing from it
            before += [p for p in await published(tenant_id)
                       if identity(p) in stored - seen]
        return await verify_on(conn, tenant_id, public_keys, before)


async def verify(audit: Audit, ctx: CommandContext) -> Verification:
    """Verify the caller's organisation's trail (the verification itself is recorded)."""
    found = await verify_tenant(audit.pool, ctx.tenant_id, audit.public_keys, audit.published)
    await audit.record_trail_access(ctx, "verify")
    return found
