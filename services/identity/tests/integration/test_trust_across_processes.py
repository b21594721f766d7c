"""What identity decides reaches every other service: another process that verifies tokens
through the JWKS and keeps its own trust cache sees a policy change and a deactivation within a
second, and keeps enforcing while identity is down."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest

from interlude.identity.testing import IdentityClient, identity_settings, served_identity
from interlude.shared.db import quote_ident
from interlude.shared.stack.ports import free_port
from interlude.shared.testing.eventually import eventually

pytestmark = pytest.mark.slow


@pytest.fixture
async def other_schema(postgres_dsn: str, namespace: str) -> AsyncIterator[str]:
    """The other service's own schema: it shares nothing with identity but the streams."""
    name = namespace + "_other"
    conn = await asyncpg.connect(postgres_dsn)
    await conn.execute(f"CREATE SCHEMA {quote_ident(name)}")
    yield name
    await conn.execute(f"DROP SCHEMA {quote_ident(name)} CASCADE")
    await conn.close()


def start_guarded(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "interlude.shared.testing.guarded_app"],
                               env={**os.environ, **env, "GUARDED_PORT": str(port)})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the guarded service did not start")


@pytest.fixture
def stop_after() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:  # only what this test started, by PID
        process.terminate()
        process.wait(timeout=10)


async def test_policy_changes_and_deactivations_reach_another_process(
        nats_url: str, postgres_dsn: str, namespace: str, pg_schema: str, other_schema: str,
        stop_after: list[subprocess.Popen[bytes]]) -> None:
    settings = identity_settings(nats_url, postgres_dsn, namespace)
    async with served_identity(settings, pg_schema) as identity_url, \
            httpx.AsyncClient(base_url=identity_url) as client:
        helper = IdentityClient(client, settings)
        admin = await helper.organisation()
        coachee = await helper.member(admin, "coachee")
        port = free_port()
        stop_after.append(start_guarded({
            "INTERLUDE_NATS_URL": nats_url, "INTERLUDE_DATABASE_URL": postgres_dsn,
            "INTERLUDE_DATABASE_SCHEMA": other_schema,
            "INTERLUDE_STREAM_NAMESPACE": namespace,
            "INTERLUDE_MASTER_SECRET": settings.master_secret.get_secret_value(),
            "INTERLUDE_IDENTITY_URL": identity_url, "INTERLUDE_LOG_JSON": "false"}, port))
        guarded = f"http://127.0.0.1:{port}/v1/guarded"
        async with httpx.AsyncClient() as other:

            async def status(url: str, person=coachee) -> int:
                return (await other.get(url, headers=person.headers)).status_code

            await eventually(lambda: _is(status(f"{guarded}/messaging.enabled"), 200),
                             timeout=5)
            changed = await client.patch(
                f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers,
                json={"changes": {"messaging.enabled": False}, "reason": "pilot"})
            assert changed.status_code == 200, changed.text
            await eventually(lambda: _is(status(f"{guarded}/messaging.enabled"), 403),
                             timeout=1.0)
            blocked = await other.get(f"{guarded}/messaging.enabled", headers=coachee.headers)
            assert blocked.json()["block"] == "messaging.enabled"
            assert blocked.json()["policy_version"] == 2

            deactivated = await client.post(
                f"/v1/organisations/{admin.tenant_id}/users/{coachee.user_id}/deactivate",
                headers=admin.headers, json={"reason": "left the company"})
            assert deactivated.status_code == 200, deactivated.text
            await eventually(lambda: _is(status(f"{guarded}/checkins.enabled"), 401),
                             timeout=1.0)
            unknown = await other.get(f"{guarded}/checkins.enabled?tenant=deadbeef",
                                      headers=admin.headers)
            assert unknown.status_code == 403
    # identity is stopped now: the other service still knows the policy and the people
    async with httpx.AsyncClient() as other:
        assert (await other.get(f"{guarded}/messaging.enabled",
                                headers=admin.headers)).status_code == 403
        assert (await other.get(f"{guarded}/checkins.enabled",
                                headers=admin.headers)).status_code == 200
        assert (await other.get(f"{guarded}/checkins.enabled",
                                headers=coachee.headers)).status_code == 401


async def _is(response_status, expected: int) -> bool:
    return await response_status == expected
