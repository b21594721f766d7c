"""The operator's key rotation command, run as a real process against identity's database."""

from __future__ import annotations

import asyncio
import os
import sys

import jwt

from interlude.identity.testing import RunningIdentity


async def test_rotate_keys_command_switches_the_signing_key(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    before = jwt.get_unverified_header(admin.access_token)["kid"]
    settings = identity.settings
    env = {**os.environ, "INTERLUDE_DATABASE_URL": settings.database_url,
           "INTERLUDE_DATABASE_SCHEMA": identity.schema,
           "INTERLUDE_MASTER_SECRET": settings.master_secret.get_secret_value()}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "interlude.identity.cli", "rotate-keys", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    stdout = out.decode()
    assert "rotating: new tokens are signed with key" in stdout
    assert f"{before}  created" in stdout and "published" in stdout
    await identity.app.state.identity.keys.reload()
    after = await identity.sign_in(admin.email)
    assert jwt.get_unverified_header(after.access_token)["kid"] != before
    assert (await identity.client.get("/v1/me", headers=admin.headers)).status_code == 200
