"""``interlude-identity``: operator commands, configured like the service (``INTERLUDE_*``).

    interlude-identity rotate-keys    sign new tokens with a new key; the old one stays
                                      published until the tokens it signed have expired
    interlude-identity keys           list the signing keys and whether they are published
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

from interlude.identity.adapters.signing import SigningKeys
from interlude.identity.settings import IdentitySettings
from interlude.shared.db import create_pool
from interlude.shared.runtime import master_secret


async def _keys(settings: IdentitySettings, rotate: bool) -> None:
    pool = await create_pool(settings.database_url, schema=settings.database_schema)
    try:
        keys = SigningKeys(pool, master_secret(settings), token_ttl=settings.access_ttl,
                           rotate_after=timedelta(days=settings.key_rotation_days))
        await keys.reload()
        if rotate:
            print(f"rotating: new tokens are signed with key {await keys.rotate()}")
            print(f"retired keys stay published for {settings.access_token_ttl_s} s more")
        published = {k["kid"] for k in (await keys.jwks())["keys"]}
        current = await keys.current()
        async with pool.acquire() as conn:
            rows = await conn.fetch("SELECT kid, created_at, retired_at FROM signing_keys"
                                    " ORDER BY created_at DESC")
        for row in rows:
            state = ("signing" if row["kid"] == current.kid else
                     "published" if row["kid"] in published else "expired")
            print(f"{row['kid']}  created {row['created_at']:%Y-%m-%d %H:%M}  {state}")
    finally:
        await pool.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="interlude-identity", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["rotate-keys", "keys"])
    args = parser.parse_args(argv)
    asyncio.run(_keys(IdentitySettings(), rotate=args.command == "rotate-keys"))


if __name__ == "__main__":
    main()
