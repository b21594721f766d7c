"""Erasure of a data subject: the request is recorded, the person's key is destroyed (every
sealed field of theirs, in every stream and backup, becomes unreadable), then
``SubjectForgotten`` tells every service to drop the plaintext from its read models."""

from __future__ import annotations

from interlude.identity.app import organisations, people
from interlude.identity.app.deps import Identity
from interlude.identity.domain import user
from interlude.shared.access import Access
from interlude.shared.auth import Principal
from interlude.shared.errors import DomainError
from interlude.shared.events.envelope import CommandContext


class RoleRequired(DomainError):
    status, slug = 403, "role-required"


async def request(deps: Identity, ctx: CommandContext, principal: Principal, subject_id: str,
                  reason: str) -> int:
    """Forget ``subject_id`` at the request of a compliance officer, or of the person
    themselves where the policy's ``export.self_service`` allows; a refusal is audited."""
    org = await organisations.load(deps, ctx.tenant_id)
    itself = principal.user_id == subject_id and org.security_policy.export_self_service
    if not (principal.has("compliance_officer") or itself):
        await deps.record(Access(
            tenant_id=ctx.tenant_id, actor=principal.actor, action="erasure",
            resource_type="user", resource_id=subject_id, outcome="denied",
            data_subject=subject_id, reason="role-required", policy_version=org.policy_version,
            request_id=ctx.correlation_id, source_address=ctx.source_address))
        raise RoleRequired("only a compliance officer may erase someone else's data",
                           roles_required=["compliance_officer"])
    await people.existing(deps, ctx.tenant_id, subject_id)
    return await erase(deps, ctx, subject_id, reason)


async def erase(deps: Identity, ctx: CommandContext, subject_id: str, reason: str) -> int:
    """Idempotent: running it again after a crash finishes what was started."""
    state = (await deps.users.load(ctx.tenant_id, subject_id)).state
    await deps.users.execute(ctx.tenant_id, subject_id,
                             lambda s: user.request_erasure(s, subject_id, reason), ctx)
    await deps.refresh.revoke_user(ctx.tenant_id, subject_id, ctx.now)
    if state.email_digest:
        await people.release_email(deps, ctx, state.email_digest, subject_id)
    await deps.keyring.shred(ctx.tenant_id, subject_id)
    result = await deps.users.execute(ctx.tenant_id, subject_id,
                                      lambda s: user.forget(s, subject_id), ctx)
    return people.position(result)
