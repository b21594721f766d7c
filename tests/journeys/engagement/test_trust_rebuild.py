"""A block the organisation set does not outlive a hand's edit of engagement's copy of the
policy. A superuser who rewrites the ``trust_policies`` row (messaging back on, with a version
and a position no real change reaches) lets messages through, and the organisation's next
policy change does not undo it; the operator's remedy for rows edited by hand, the worker's
``rebuild`` command, rebuilds that copy from identity's stream too (refused while the API that
projects it runs), and the API started again enforces the block."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable

from interlude.engagement.settings import EngagementSettings
from interlude.engagement.testing import (
    RunningEngagement,
    engagement_settings,
    running_engagement,
)
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.shared.testing.plugin import own_schema
from interlude.shared.testing.watch import worker_env

from .journey import Cast, active_contract, expect, set_policy

FORGED = ("UPDATE trust_policies SET version = 999999, position = position + 1000000,"
          " policy = jsonb_set(policy, '{messaging.enabled}', 'true') WHERE tenant_id = $1")


async def test_a_block_edited_away_in_the_read_model_comes_back_with_a_rebuild(
        identity: RunningIdentity, nats_url: str, postgres_dsn: str, namespace: str) -> None:
    assert identity.settings.master_secret is not None
    settings = engagement_settings(nats_url, postgres_dsn, namespace,
                                   identity.settings.master_secret.get_secret_value())
    async with own_schema(postgres_dsn, f"{namespace}_engagement") as schema:
        async with running_engagement(settings, schema, identity.app) as engagement:
            cast = await active_contract(identity, engagement)
            messages = f"/v1/contracts/{cast.contract_id}/messages"

            async def send() -> int:
                return (await engagement.client.post(messages, headers=cast.coachee.headers,
                                                     json={"body": "hello"})).status_code

            await set_policy(identity, engagement, cast.admin, {"messaging.enabled": False})
            assert await send() == 403
            await engagement.platform.pool.execute(FORGED, cast.admin.tenant_id)
            await eventually(lambda: _is(send, 201), timeout=10)  # the block is gone
            await expect(await identity.client.patch(
                f"/v1/organisations/{cast.admin.tenant_id}/policy", headers=cast.admin.headers,
                json={"changes": {"messaging.attachments": True}, "reason": "later"}), 200)
            await asyncio.sleep(3)  # the cache polls every 2 s
            assert await send() == 201  # the organisation's next change does not restore it

            refused, said = await rebuild(settings, schema, "engagement-trust")
            assert refused == 3 and "engagement's api is running" in said, said
        done, said = await rebuild(settings, schema, "engagement-trust")  # the API stopped
        assert done == 0 and "rebuilt 1 of engagement's projections" in said, said
        async with running_engagement(settings, schema, identity.app) as engagement:
            assert await send_again(engagement, cast, messages) == 403


async def send_again(engagement: RunningEngagement, cast: Cast, messages: str) -> int:
    return (await engagement.client.post(messages, headers=cast.coachee.headers,
                                         json={"body": "hello again"})).status_code


async def _is(send: Callable[[], Awaitable[int]], status: int) -> bool:
    return await send() == status


async def rebuild(settings: EngagementSettings, schema: str, *names: str) -> tuple[int, str]:
    """``python -m interlude.engagement.worker rebuild NAMES``: its exit status and output."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "interlude.engagement.worker", "rebuild", *names,
        env=worker_env(settings, schema), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(child.communicate(), timeout=120)
    return await child.wait(), out.decode()
