"""What identity's command handlers work with, wired once in ``main.py`` (or by a test)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import asyncpg

from interlude.identity.adapters.digests import EmailDigest
from interlude.identity.adapters.oidc import OidcClient
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
from interlude.identity.projections.people_data import Opener
from interlude.identity.settings import IdentitySettings
from interlude.shared.access import Access, AccessRecorder, Outcome
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.eventstore.repository import Repository
from interlude.shared.http.context import request_id_var, source_address_var
from interlude.shared.kit import ReadModels, command_context, utc_now
from interlude.shared.sealing import KeyRing


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
    pool: asyncpg.Pool
    access: AccessRecorder | None = None
    clock: Callable[[], datetime] = field(default=utc_now)
    # the API process's (main.py): the directory's reads wait for its projection, and single
    # sign-on talks to organisations' identity providers
    read_models: ReadModels | None = None
    oidc: OidcClient | None = None

    @cached_property
    def opener(self) -> Opener:
        """What opens the directory's sealed columns and finds by blind index."""
        return Opener.of(self.keyring, self.master_secret)

    def context(self, tenant_id: str, actor: Actor, *, policy_version: int | None = None,
                causation_id: str | None = None) -> CommandContext:
        """A command's context from the current request (request id, source address).
        identity is no :class:`~interlude.shared.kit.ServiceApp`: it decides the policies the
        others enforce, from its own organisations, so it has no copy of them to enforce."""
        return command_context(tenant_id, actor, self.clock(), policy_version=policy_version,
                               causation_id=causation_id)

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
