"""What identity's command handlers work with, wired once in ``main.py`` (or by a test)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from interlude.identity.adapters.digests import EmailDigest
from interlude.identity.adapters.passwords import Passwords
from interlude.identity.adapters.refresh_tokens import RefreshTokens
from interlude.identity.adapters.signing import SigningKeys
from interlude.identity.adapters.throttle import Throttle
from interlude.identity.adapters.tickets import Tickets
from interlude.identity.adapters.totp import TotpSteps
from interlude.identity.domain.claims import EmailClaim, EmailIndex
from interlude.identity.domain.group import Group
from interlude.identity.domain.organisation import Organisation
from interlude.identity.domain.user import User
from interlude.identity.settings import IdentitySettings
from interlude.shared.access import Access, AccessRecorder, Outcome
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.eventstore.repository import Repository
from interlude.shared.http.context import request_id_var, source_address_var
from interlude.shared.ids import new_id
from interlude.shared.sealing import KeyRing


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Identity:
    settings: IdentitySettings
    users: Repository[User]
    orgs: Repository[Organisation]
    emails: Repository[EmailClaim]  # in the organisation's tenant
    email_index: Repository[EmailIndex]  # in the tenant "global"
    groups: Repository[Group]
    keyring: KeyRing
    passwords: Passwords
    keys: SigningKeys
    refresh: RefreshTokens
    throttle: Throttle
    tickets: Tickets
    totp: TotpSteps
    digest: EmailDigest
    master_secret: bytes
    access: AccessRecorder | None = None
    clock: Callable[[], datetime] = field(default=utc_now)

    def context(self, tenant_id: str, actor: Actor, *, policy_version: int | None = None,
                causation_id: str | None = None) -> CommandContext:
        """A command's context from the current request (request id, source address)."""
        return CommandContext(tenant_id=tenant_id, actor=actor, now=self.clock(),
                              correlation_id=request_id_var.get() or new_id(),
                              causation_id=causation_id, policy_version=policy_version,
                              source_address=source_address_var.get())

    async def record(self, access: Access) -> None:
        if self.access is not None:
            await self.access.record(access)

    async def record_login(self, tenant_id: str, user_id: str, outcome: Outcome,
                           reason: str | None) -> None:
        """A sign-in attempt, for the audit trail (``unknown`` when nobody matched)."""
        await self.record(Access(
            tenant_id=tenant_id, actor=Actor(user_id), action="login", resource_type="user",
            resource_id=user_id, outcome=outcome,
            data_subject=user_id if user_id != "unknown" else None, reason=reason,
            request_id=request_id_var.get(), source_address=source_address_var.get()))
