"""``interlude-audit verify``: check a trail, in the database or in an export, and exit
non-zero naming the first record that was changed, removed, inserted or reordered."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from interlude.audit.adapters.signing import signing_key
from interlude.audit.app.offline import public_key, verify_export
from interlude.audit.chain.checkpoint import key_id
from interlude.audit.chain.model import Verification
from interlude.audit.settings import AuditSettings
from interlude.audit.trail import verify_tenant
from interlude.shared.db import create_pool


def report(verification: Verification, tenant: str) -> int:
    failure = verification.first_failure
    print(f"organisation {tenant}: {verification.records_checked} records, "
          f"{verification.checkpoints_checked} checkpoints checked")
    for warning in verification.warnings:
        print(f"warning: {warning}")
    if failure is None:
        print("ok: the trail verifies")
        return 0
    print(f"FAILED at record {failure.seq}: {failure.kind}: {failure.message}")
    return 1


async def _database(tenant: str) -> int:
    settings = AuditSettings()
    key = signing_key(settings).public_key()
    pool = await create_pool(settings.database_url, schema=settings.database_schema, max_size=2)
    try:
        return report(await verify_tenant(pool, tenant, {key_id(key): key}), tenant)
    finally:
        await pool.close()


def _export(path: Path, key_path: Path | None) -> int:
    trusted = None
    if key_path is not None:
        trusted = [public_key(json.loads(key_path.read_text()))]
    else:
        print("warning: no --public-key: trusting the keys inside the export", file=sys.stderr)
    with path.open("rb") as lines:
        verification, tenant = verify_export(lines, trusted)
    return report(verification, tenant)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="interlude-audit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="verify a trail")
    source = verify.add_mutually_exclusive_group(required=True)
    source.add_argument("--tenant", help="an organisation's trail in the database "
                        "(INTERLUDE_DATABASE_URL; the key from audit's settings)")
    source.add_argument("--export", type=Path, help="a JSON Lines export, verified offline")
    verify.add_argument("--public-key", type=Path,
                        help="the public key (a JWK from /v1/audit/keys) to trust")
    args = parser.parse_args(argv)
    if args.export is not None:
        sys.exit(_export(args.export, args.public_key))
    sys.exit(asyncio.run(_database(args.tenant)))


if __name__ == "__main__":
    main()
