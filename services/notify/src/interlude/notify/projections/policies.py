"""The organisation's notify keys, from the policy copy the trust projection keeps in notify's
schema (``trust_policies``): which channels are on, how much an e-mail may say, and which
features are switched off."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
import orjson

from interlude.notify.domain.events import FEATURES_OF, SWITCHES
from interlude.shared.policy import SecurityPolicy


@dataclass(frozen=True)
class NotifyPolicy:
    channels: tuple[str, ...]
    email_content: str  # none | subject | full
    off: frozenset[str] = frozenset()  # the features' switches turned off (``SWITCHES``)

    def allows(self, channel: str) -> bool:
        return channel in self.channels

    def tells(self, kind: str) -> bool:
        """False for a kind of a feature the organisation switched off."""
        return not any(switch in self.off for switch in FEATURES_OF.get(kind, ()))


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
        switches = policy.to_wire()
        found[row["tenant_id"]] = NotifyPolicy(
            tuple(policy.notify_channels), policy.notify_email_content,
            frozenset(s for s in SWITCHES if switches.get(s) is False))
    return found
