"""The organisation's notify keys, from the policy copy the trust projection keeps in notify's
schema (``trust_policies``): which channels are on and how much an e-mail may say."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
import orjson

from interlude.shared.policy import SecurityPolicy


@dataclass(frozen=True)
class NotifyPolicy:
    channels: tuple[str, ...]
    email_content: str  # none | subject | full

    def allows(self, channel: str) -> bool:
        return channel in self.channels


async def notify_policy(conn: asyncpg.Connection | asyncpg.Pool,
                        tenant_id: str) -> NotifyPolicy | None:
    """None when no policy of the organisation is known yet (nothing may go then)."""
    return (await notify_policies(conn, [tenant_id])).get(tenant_id)


async def notify_policies(conn: asyncpg.Connection | asyncpg.Pool,
                          tenant_ids: list[str]) -> dict[str, NotifyPolicy]:
    """The known policies of ``tenant_ids`` (an organisation not there: none known yet)."""
    found = {}
    for row in await conn.fetch("SELECT tenant_id, policy FROM trust_policies"
                                " WHERE tenant_id = ANY($1)", tenant_ids):
        wire = row["policy"]
        policy = SecurityPolicy.from_wire(orjson.loads(wire) if isinstance(wire, str | bytes)
                                          else wire)
        found[row["tenant_id"]] = NotifyPolicy(tuple(policy.notify_channels),
                                               policy.notify_email_content)
    return found
