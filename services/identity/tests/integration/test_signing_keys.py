"""Key rotation: new tokens are signed with the new key, old ones stay valid until they expire."""

from __future__ import annotations

import jwt

from interlude.identity.testing import RunningIdentity


def kid(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


async def test_rotation_keeps_old_tokens_valid_while_they_live(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    old_kid = kid(admin.access_token)
    new_kid = await identity.app.state.identity.keys.rotate()
    assert new_kid != old_kid

    jwks = (await identity.client.get("/.well-known/jwks.json")).json()
    assert {k["kid"] for k in jwks["keys"]} == {old_kid, new_kid}
    assert all(k["alg"] == "EdDSA" and k["crv"] == "Ed25519" for k in jwks["keys"])
    assert all("d" not in k for k in jwks["keys"])  # never the private half

    assert (await identity.client.get("/v1/me", headers=admin.headers)).status_code == 200
    again = await identity.sign_in(admin.email)
    assert kid(again.access_token) == new_kid

    # once every token of the old key has expired, the key leaves the JWKS and is refused
    async with identity.platform.pool.acquire() as conn:
        await conn.execute("UPDATE signing_keys SET retired_at = now() - interval '1 day'"
                           " WHERE kid = $1", old_kid)
    await identity.app.state.identity.keys.reload()
    jwks = (await identity.client.get("/.well-known/jwks.json")).json()
    assert [k["kid"] for k in jwks["keys"]] == [new_kid]
    assert (await identity.client.get("/v1/me", headers=admin.headers)).status_code == 401
    assert (await identity.client.get("/v1/me", headers=again.headers)).status_code == 200
