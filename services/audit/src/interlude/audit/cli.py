"""``interlude-audit verify``: check a trail, in the database or in an export, and exit
non-zero naming the first record that was changed, removed, inserted or reordered.
``interlude-audit purge``: cut an organisation's records older than its retention, as a purge
over HTTP does (for an operator's scheduled job)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from pathlib import Path

import nats

from interlude.audit.adapters.signing import signing_key
from interlude.audit.app import retention
from interlude.audit.app.checkpoints import Checkpointer
from interlude.audit.app.offline import public_key, verify_export
from interlude.audit.chain.checkpoint import key_id
from interlude.audit.chain.model import Verification
from interlude.audit.settings import AuditSettings
from interlude.audit.trail import verify_tenant
from interlude.audit.wiring import publisher
from interlude.shared.db import create_pool
from interlude.shared.events.envelope import Actor
from interlude.shared.eventstore.streams import StreamSpec
from interlude.shared.runtime import nats_options


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


async def _purge(settings: AuditSettings, tenant: str, reason: str, operator: str) -> int:
    """The purge under the retention audit knows for the organisation (its copy of identity's
    security policy); the checkpoint is published like the worker's."""
    pool = await create_pool(settings.database_url, schema=settings.database_schema, max_size=2)
    nc = await nats.connect(settings.nats_url, **nats_options(settings), connect_timeout=5,
                            max_reconnect_attempts=2)
    try:
        known = await retention.known_retention(pool, tenant)
        if known is None:
            print(f"organisation {tenant}: no security policy is known here, so no retention: "
                  "nothing purged")
            return 1
        days, version = known
        publish = publisher(nc.jetstream(),
                            StreamSpec.for_service("audit", settings.stream_namespace))
        signer = Checkpointer(pool, signing_key(settings), publish=publish)
        done = await retention.purge(pool, signer, retention.Purge(
            tenant_id=tenant, actor=Actor(f"operator:{operator}", kind="system"),
            reason=reason, retention_days=days, policy_version=version))
    finally:
        await nc.drain()
        await pool.close()
    if done.record is None:
        print(f"organisation {tenant}: nothing older than {days} days: nothing purged")
    else:
        print(f"organisation {tenant}: purged {done.purged} records older than {days} days; "
              f"the trail now starts at record {done.lower_bound}; the purge is record "
              f"{done.record}, under a checkpoint signed at that size")
    return 0


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
    purge = commands.add_parser("purge", help="purge records older than the retention")
    purge.add_argument("--tenant", required=True, help="the organisation (INTERLUDE_DATABASE_URL,"
                       " INTERLUDE_NATS_URL and the key from audit's settings)")
    purge.add_argument("--reason", required=True, help="why, for the record")
    purge.add_argument("--operator", default=getpass.getuser(),
                       help="who asks (default: this login)")
    args = parser.parse_args(argv)
    if args.command == "purge":
        sys.exit(asyncio.run(_purge(AuditSettings(), args.tenant, args.reason, args.operator)))
    if args.export is not None:
        sys.exit(_export(args.export, args.public_key))
    sys.exit(asyncio.run(_database(args.tenant)))


if __name__ == "__main__":
    main()
