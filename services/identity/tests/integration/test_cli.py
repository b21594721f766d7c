"""The operator's key rotation command, run as a real process against identity's database."""

from __future__ import annotations

import os
import subprocess
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
    done = subprocess.run([sys.executable, "-m", "interlude.identity.cli", "rotate-keys"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "rotating: new tokens are signed with key" in done.stdout
    assert f"{before}  created" in done.stdout and "published" in done.stdout
    await identity.app.state.identity.keys.reload()
    after = await identity.sign_in(admin.email)
    assert jwt.get_unverified_header(after.access_token)["kid"] != before
    assert (await identity.client.get("/v1/me", headers=admin.headers)).status_code == 200
