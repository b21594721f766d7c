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
    wire = await conn.fetchval("SELECT policy FROM trust_policies WHERE tenant_id = $1",
                               tenant_id)
    if wire is None:
        return None
    policy = SecurityPolicy.from_wire(orjson.loads(wire) if isinstance(wire, str | bytes)
                                      else wire)
    return NotifyPolicy(tuple(policy.notify_channels), policy.notify_email_content)
