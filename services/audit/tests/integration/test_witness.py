"""The database is not its own witness: tampering as the PostgreSQL superuser, committed, in the
ways that passed before (a queryable column edited alone; the checkpoints deleted and the
records rewritten with recomputed hashes; the latest checkpoint deleted with the records after
it; every checkpoint deleted) fails all three verifiers, each naming what changed: the one the
API runs (``verify_tenant`` against JetStream), ``interlude-audit verify --tenant`` and
``interlude-audit verify --export FILE --published FILE`` offline. An untouched trail and one
after a legitimate purge verify on all three, and a checkpoint whose publication failed or was
cut short by a crash is published later."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from nats.aio.client import Client as NATS

from interlude.audit.adapters.signing import public_jwk
from interlude.audit.adapters.witness import PublishedCheckpoints
from interlude.audit.app import export, retention
from interlude.audit.app.checkpoints import Checkpointer, Publish
from interlude.audit.app.verification import verify_tenant
from interlude.audit.cli import _checkpoints, _database, _export
from interlude.audit.domain.checkpoint import key_id
from interlude.audit.domain.hashing import chain_hash
from interlude.audit.settings import AuditSettings
from interlude.audit.testing import app_dsn, audit_settings
from interlude.shared.events.envelope import Actor
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.testing.eventually import eventually

from .trail import post_check_ins, records

KEY = Ed25519PrivateKey.generate()
KEYS = {key_id(KEY.public_key()): KEY.public_key()}

pytestmark = pytest.mark.slow


@dataclass
class Verdicts:
    """What each verifier said: (kind, message) of every failure, and the CLI's output."""

    api: list[tuple[str, str]]
    ok: bool
    database: tuple[int, str]
    offline: tuple[int, str]


@pytest.fixture
async def trail(nc: NATS, namespace: str, audit_db: asyncpg.Pool, app_pool: asyncpg.Pool,
                intake: list[ProjectionRunner], publish: Publish, tenant_id: str) -> str:
    """8 records, under checkpoints at 4 and 8, both published."""
    signer = Checkpointer(app_pool, KEY, publish=publish)
    for first in (0, 4):
        await post_check_ins(nc, namespace, tenant_id, "coachee-1", 4, first=first)

        async def arrived(n: int = first + 4) -> bool:
            return len(await records(audit_db, tenant_id)) == n

        await eventually(arrived, timeout=5)
        await signer.sign_now(tenant_id)
    return tenant_id


@pytest.fixture
async def settings(nats_url: str, postgres_dsn: str, namespace: str, pg_schema: str,
                   audit_db: asyncpg.Pool) -> AuditSettings:
    """What ``interlude-audit`` reads: the test's database (as audit_app) and streams."""
    seed = KEY.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return audit_settings(nats_url, await app_dsn(postgres_dsn), namespace, "unused",
                          database_schema=pg_schema,
                          signing_key=base64.b64encode(seed).decode())


@pytest.fixture
def verdicts(app_pool: asyncpg.Pool, published: PublishedCheckpoints, settings: AuditSettings,
             tmp_path: Path,
             capsys: pytest.CaptureFixture[str]) -> Callable[[str], Awaitable[Verdicts]]:
    async def verify(tenant: str) -> Verdicts:
        api = await verify_tenant(app_pool, tenant, KEYS, published)
        database = await _database(settings, tenant), capsys.readouterr().out
        # offline: an export of the database, and the checkpoints as the stream has them
        exported, checkpoints = tmp_path / "trail.jsonl", tmp_path / "published.jsonl"
        exported.write_bytes(b"".join([line async for line in export.jsonl(
            app_pool, tenant, [public_jwk(KEY)])]))
        assert await _checkpoints(settings, tenant) == 0
        checkpoints.write_text(capsys.readouterr().out)
        key = tmp_path / "key.json"
        key.write_text(json.dumps(public_jwk(KEY)))
        offline = _export(exported, checkpoints, key), capsys.readouterr().out
        return Verdicts([(f.kind, f.message) for f in api.failures], api.ok, database, offline)

    return verify


async def as_superuser(audit_db: asyncpg.Pool, *statements: tuple[str, ...]) -> None:
    """Run and commit ``statements`` (SQL, then its arguments) with every trigger off."""
    async with audit_db.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        for sql, *args in statements:
            await conn.execute(sql, *args)


def failed(verdicts: Verdicts, *expected: tuple[str, str]) -> None:
    """Every verifier fails, and each names every (kind, phrase) expected."""
    assert not verdicts.ok
    for kind, phrase in expected:
        assert any(k == kind and phrase in m for k, m in verdicts.api), verdicts.api
        for code, out in (verdicts.database, verdicts.offline):
            assert code == 1, out
            assert any(f"{kind}: " in line and phrase in line for line in out.splitlines()), out


async def test_an_untouched_trail_verifies_everywhere(trail: str, verdicts) -> None:
    found = await verdicts(trail)
    assert found.ok and found.api == []
    assert found.database[0] == 0 and "ok: the trail verifies" in found.database[1]
    assert found.offline[0] == 0 and "ok: the trail verifies" in found.offline[1]


@pytest.mark.parametrize(("column", "value"), [
    ("actor_id", "someone-else"), ("action", "engagement.CheckInDeleted"),
    ("outcome", "denied")])
async def test_a_column_edited_alone_is_named(column: str, value: str, trail: str,
                                              audit_db: asyncpg.Pool, verdicts) -> None:
    await as_superuser(audit_db, (f"UPDATE audit_records SET {column} = $2"
                                  " WHERE tenant_id = $1 AND seq = 3", trail, value))
    failed(await verdicts(trail), ("column-changed", f"record 3: its {column} column"))


async def test_records_rewritten_with_the_checkpoints_deleted_are_found(
        trail: str, audit_db: asyncpg.Pool, verdicts) -> None:
    """As an attacker with the code: record 3 says denied (bytes and column), every chain hash
    from there on recomputed, the head moved, the checkpoints that would tell deleted."""
    rows = await records(audit_db, trail)
    previous, changes = rows[1]["chain_hash"], []
    for row in rows[2:]:
        data = bytes(row["record"])
        if row["seq"] == 3:
            data = data.replace(b'"outcome":"succeeded"', b'"outcome":"denied"')
        previous = chain_hash(bytes(previous), data)
        changes.append(("UPDATE audit_records SET record = $3, chain_hash = $4,"
                        " outcome = $5 WHERE tenant_id = $1 AND seq = $2", trail, row["seq"],
                        data, previous, orjson.loads(data)["outcome"]))
    await as_superuser(audit_db, ("DELETE FROM audit_checkpoints WHERE tenant_id = $1", trail),
                       *changes, ("UPDATE audit_heads SET chain_hash = $2 WHERE tenant_id = $1",
                                  trail, previous))
    failed(await verdicts(trail),
           ("changed", "records 1..4 do not match the chain head and Merkle root"),
           ("checkpoint-missing", "the checkpoint at size 4"),
           ("checkpoint-missing", "the checkpoint at size 8"))


async def test_the_latest_checkpoint_deleted_with_the_records_after_it_is_found(
        trail: str, audit_db: asyncpg.Pool, verdicts) -> None:
    """The trail rolled back to its checkpoint at 4, head and all: it looks whole."""
    await as_superuser(
        audit_db,
        ("DELETE FROM audit_checkpoints WHERE tenant_id = $1 AND size = 8", trail),
        ("DELETE FROM audit_records WHERE tenant_id = $1 AND seq > 4", trail),
        ("UPDATE audit_heads SET seq = 4, signed_size = 4, chain_hash = (SELECT chain_hash"
         " FROM audit_records WHERE tenant_id = $1 AND seq = 4) WHERE tenant_id = $1", trail))
    failed(await verdicts(trail), ("truncated", "checkpoint says 8 records, 4 present"),
           ("checkpoint-missing", "the checkpoint at size 8"))


async def test_a_trail_whose_checkpoints_were_deleted_does_not_verify(
        trail: str, audit_db: asyncpg.Pool, verdicts) -> None:
    await as_superuser(audit_db, ("DELETE FROM audit_checkpoints WHERE tenant_id = $1", trail))
    found = await verdicts(trail)
    failed(found, ("checkpoint-missing", "the checkpoint at size 4"),
           ("checkpoint-missing", "the checkpoint at size 8"))
    assert found.api[0][0] == "checkpoint-missing"


async def test_a_checkpoint_never_published_is_named(
        trail: str, app_pool: asyncpg.Pool, verdicts) -> None:
    """Signed into the database (as someone holding the key could) but never published."""
    await Checkpointer(app_pool, KEY, publish=None).sign_now(trail)
    failed(await verdicts(trail), ("checkpoint-unpublished", "never published"))


async def test_after_a_legitimate_purge_the_trail_verifies_everywhere(
        trail: str, app_pool: asyncpg.Pool, publish: Publish, verdicts) -> None:
    # a retention of 0 days: everything before the purge's own record goes
    done = await retention.purge(app_pool, Checkpointer(app_pool, KEY, publish=publish),
                                 retention.Purge(tenant_id=trail, actor=Actor("officer-1"),
                                                 reason="retention", retention_days=0))
    assert (done.purged, done.lower_bound) == (8, 9)
    found = await verdicts(trail)
    assert found.ok, found.api
    assert (found.database[0], found.offline[0]) == (0, 0), (found.database, found.offline)


async def test_a_checkpoint_whose_publication_failed_is_published_on_the_next_try(
        trail: str, app_pool: asyncpg.Pool, publish: Publish, verdicts) -> None:
    failures = [TimeoutError("nats: timeout")]

    async def flaky(checkpoint, signature) -> None:
        if failures:
            raise failures.pop()
        await publish(checkpoint, signature)

    signer = Checkpointer(app_pool, KEY, publish=flaky)
    with pytest.raises(TimeoutError):
        await signer.sign_now(trail)  # stored, not published
    failed(await verdicts(trail), ("checkpoint-unpublished", "never published"))
    await signer.flush()
    assert (await verdicts(trail)).ok


async def test_at_start_the_worker_publishes_what_a_crash_left_unpublished(
        trail: str, app_pool: asyncpg.Pool, publish: Publish,
        published: PublishedCheckpoints, verdicts) -> None:
    await Checkpointer(app_pool, KEY, publish=None).sign_now(trail)  # the crash: never sent
    signer = Checkpointer(app_pool, KEY, publish=publish)
    assert await signer.catch_up(published.last) == 1
    assert (await verdicts(trail)).ok
    assert await signer.catch_up(published.last) == 0
