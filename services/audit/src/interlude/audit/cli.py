"""``interlude-audit verify``: check a trail, in the database or in an export, against the
checkpoints published to JetStream, and exit non-zero naming what was changed, removed,
inserted or reordered (records, their columns, checkpoints).
``interlude-audit checkpoints``: print an organisation's published checkpoints (JSON Lines),
which ``verify --export`` takes as ``--published``.
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
from interlude.audit.adapters.witness import PublishedCheckpoints, publisher
from interlude.audit.app import retention
from interlude.audit.app.checkpoints import Checkpointer
from interlude.audit.app.verification import verify_tenant
from interlude.audit.domain.checkpoint import key_id
from interlude.audit.domain.model import Verification
from interlude.audit.domain.offline import (
    NotAnExport,
    public_key,
    published_from,
    verify_export,
)
from interlude.audit.domain.witness import as_lines
from interlude.audit.settings import AuditSettings
from interlude.shared.db import create_pool
from interlude.shared.events.envelope import Actor
from interlude.shared.eventstore.connection import server_urls
from interlude.shared.eventstore.streams import StreamSpec
from interlude.shared.runtime import nats_options


def report(verification: Verification, tenant: str) -> int:
    print(f"organisation {tenant}: {verification.records_checked} records, "
          f"{verification.checkpoints_checked} checkpoints checked")
    for warning in verification.warnings:
        print(f"warning: {warning}")
    if verification.ok:
        print("ok: the trail verifies")
        return 0
    for failure in verification.failures:
        print(f"FAILED at record {failure.seq}: {failure.kind}: {failure.message}")
    return 1


async def _database(settings: AuditSettings, tenant: str) -> int:
    key = signing_key(settings).public_key()
    pool = await create_pool(settings.database_url, schema=settings.database_schema, max_size=2)
    nc = await nats.connect(server_urls(settings.nats_url), connect_timeout=5,
                            max_reconnect_attempts=2)
    try:
        published = PublishedCheckpoints(nc, _audit_stream(settings))
        return report(await verify_tenant(pool, tenant, {key_id(key): key}, published), tenant)
    finally:
        await nc.drain()
        await pool.close()


async def _checkpoints(settings: AuditSettings, tenant: str) -> int:
    """The organisation's checkpoints as published, one JSON line each, on stdout."""
    nc = await nats.connect(server_urls(settings.nats_url), connect_timeout=5,
                            max_reconnect_attempts=2)
    try:
        found = await PublishedCheckpoints(nc, _audit_stream(settings))(tenant)
    finally:
        await nc.drain()
    for line in as_lines(found):
        sys.stdout.write(line.decode("utf-8"))
    print(f"organisation {tenant}: {len(found)} published checkpoints", file=sys.stderr)
    return 0


def _audit_stream(settings: AuditSettings) -> StreamSpec:
    return StreamSpec.for_service("audit", settings.stream_namespace)


def _export(path: Path, published_path: Path, key_path: Path | None) -> int:
    trusted = None
    if key_path is not None:
        trusted = [public_key(json.loads(key_path.read_text()))]
    else:
        print("warning: no --public-key: trusting the keys inside the export", file=sys.stderr)
    try:
        with published_path.open("rb") as lines:
            published = published_from(lines)
    except NotAnExport as error:
        print(f"FAILED: {published_path} is not a file of published checkpoints: {error}")
        return 1
    try:
        with path.open("rb") as lines:
            verification, tenant = verify_export(lines, published, trusted)
    except NotAnExport as error:
        print(f"FAILED: {path} is not the export as written: {error}")
        return 1
    return report(verification, tenant)


async def _purge(settings: AuditSettings, tenant: str, reason: str, operator: str) -> int:
    """The purge under the retention audit knows for the organisation (its copy of identity's
    security policy); the checkpoint is published like the worker's."""
    pool = await create_pool(settings.database_url, schema=settings.database_schema, max_size=2)
    nc = await nats.connect(server_urls(settings.nats_url), **nats_options(settings),
                            connect_timeout=5, max_reconnect_attempts=2)
    try:
        known = await retention.known_retention(pool, tenant)
        if known is None:
            print(f"organisation {tenant}: no security policy is known here, so no retention: "
                  "nothing purged")
            return 1
        days, version = known
        publish = publisher(nc.jetstream(), _audit_stream(settings))
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
    source.add_argument("--tenant", help="an organisation's trail in the database, against "
                        "the checkpoints in JetStream (INTERLUDE_DATABASE_URL, "
                        "INTERLUDE_NATS_URL; the key from audit's settings)")
    source.add_argument("--export", type=Path, help="a JSON Lines export, verified offline")
    verify.add_argument("--published", type=Path,
                        help="with --export: the published checkpoints (JSON Lines from "
                        "`interlude-audit checkpoints` or GET /v1/audit/checkpoints)")
    verify.add_argument("--public-key", type=Path,
                        help="the public key (a JWK from /v1/audit/keys) to trust")
    checkpoints = commands.add_parser("checkpoints",
                                      help="print an organisation's published checkpoints")
    checkpoints.add_argument("--tenant", required=True,
                             help="the organisation (INTERLUDE_NATS_URL)")
    purge = commands.add_parser("purge", help="purge records older than the retention")
    purge.add_argument("--tenant", required=True, help="the organisation (INTERLUDE_DATABASE_URL,"
                       " INTERLUDE_NATS_URL and the key from audit's settings)")
    purge.add_argument("--reason", required=True, help="why, for the record")
    purge.add_argument("--operator", default=getpass.getuser(),
                       help="who asks (default: this login)")
    args = parser.parse_args(argv)
    if args.command == "purge":
        sys.exit(asyncio.run(_purge(AuditSettings(), args.tenant, args.reason, args.operator)))
    if args.command == "checkpoints":
        sys.exit(asyncio.run(_checkpoints(AuditSettings(), args.tenant)))
    if args.export is not None:
        if args.published is None:  # the export's own checkpoints are the database's word
            parser.error("--export needs --published: the checkpoints published to JetStream")
        sys.exit(_export(args.export, args.published, args.public_key))
    sys.exit(asyncio.run(_database(AuditSettings(), args.tenant)))


if __name__ == "__main__":
    main()
