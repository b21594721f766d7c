"""audit's application object: what its use cases work with (``wiring.build_audit`` makes it
in production; tests make it with fakes where they want)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from interlude.audit.app.checkpoints import Checkpointer
from interlude.audit.app.verification import Published
from interlude.audit.domain.checkpoint import key_id
from interlude.shared.events.envelope import CommandContext
from interlude.shared.kit import ServiceApp
from interlude.shared.subject_access import Gathered

Gather = Callable[[str, str, str], Awaitable[Gathered]]
"""(tenant, subject, export id) -> every service's section of the subject's data."""


@dataclass(kw_only=True)
class Audit(ServiceApp):
    """``signer`` signs the checkpoint of a purge (the worker signs every other one);
    ``published`` reads what JetStream holds, which verification holds the trail to;
    ``policy_version`` answers the version of the organisation's policy this service knows;
    ``access_stream`` is the name of the stream access events come from; ``gather`` asks
    every service for its section of a person's data, and exports are kept
    ``export_ttl_days``."""

    signer: Checkpointer
    published: Published
    public_key: Ed25519PublicKey
    public_jwks: list[dict[str, str]]
    policy_version: Callable[[str], int | None]
    access_stream: str
    gather: Gather
    export_ttl_days: int = 7

    @property
    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        return {key_id(self.public_key): self.public_key}

    async def record_trail_access(self, ctx: CommandContext, action: str) -> None:
        """A compliance officer used the organisation's trail: every query, verification and
        export comes back into the trail as an access event."""
        await self.record_access(ctx, action, "audit_trail", ctx.tenant_id)
