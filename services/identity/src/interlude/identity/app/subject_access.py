"""identity's section of a person's export (subject access): their account as the directory
holds it (name, address, roles, how they were provisioned, whether a second factor is set), the
organisation and groups they are in, and when they signed in. Never a password hash, a token,
a second factor's secret, or anyone else."""

from __future__ import annotations

from typing import Any

from interlude.identity.app.deps import Identity
from interlude.identity.projections.subject_queries import of_person


async def section(identity: Identity, tenant_id: str, user_id: str) -> dict[str, Any]:
    return await of_person(identity.pool, identity.opener, tenant_id, user_id)
