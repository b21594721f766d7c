"""Erasure of a data subject: the request is recorded, the person's key is destroyed (every
sealed field of theirs, in every stream and backup, becomes unreadable), then
``SubjectForgotten`` tells every service to drop the plaintext from its read models."""

from __future__ import annotations

from interlude.identity.app import people
from interlude.identity.app.deps import Identity
from interlude.identity.domain import user
from interlude.shared.events.envelope import CommandContext


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
