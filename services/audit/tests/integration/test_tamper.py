"""Tampering as a superuser would, straight in PostgreSQL (triggers bypassed): the verifier
fails every time and names the record; an untouched trail verifies; an export verifies
offline with nothing but the public key and the published checkpoints."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from interlude.audit.adapters.signing import public_jwk
from interlude.audit.app import export
from interlude.audit.app.checkpoints import Checkpointer
from interlude.audit.app.verification import verify_on, verify_tenant
from interlude.audit.cli import _export
from interlude.audit.domain.checkpoint import key_id
from interlude.audit.domain.offline import public_key, verify_export
from interlude.audit.domain.witness import as_lines
from interlude.shared.projections.runner import ProjectionRunner
from interlude.shared.testing.eventually import eventually

from .trail import post_check_ins, records

Tamper = Callable[[asyncpg.Connection, str], Awaitable[None]]


async def _change(conn: asyncpg.Connection, tenant: str) -> None:
    await conn.execute("UPDATE audit_records SET record = convert_to(replace(convert_from("
                       "record, 'UTF8'), 'succeeded', 'denied'), 'UTF8') WHERE tenant_id = $1"
                       " AND seq = 4", tenant)


async def _remove(conn: asyncpg.Connection, tenant: str) -> None:
    await conn.execute("DELETE FROM audit_records WHERE tenant_id = $1 AND seq = 4", tenant)


async def _swap(conn: asyncpg.Connection, tenant: str) -> None:
    await conn.execute("UPDATE audit_records SET seq = -seq WHERE tenant_id = $1"
                       " AND seq IN (4, 5)", tenant)
    await conn.execute("UPDATE audit_records SET seq = CASE seq WHEN -4 THEN 5 ELSE 4 END,"
                       " event_id = event_id || 'x' WHERE tenant_id = $1 AND seq < 0", tenant)


async def _insert(conn: asyncpg.Connection, tenant: str) -> None:
    await conn.execute("UPDATE audit_records SET seq = -(seq + 1) WHERE tenant_id = $1"
                       " AND seq >= 4", tenant)  # two steps: the primary key holds throughout
    await conn.execute("UPDATE audit_records SET seq = -seq WHERE tenant_id = $1 AND seq < 0",
                       tenant)
    await conn.execute(
        "INSERT INTO audit_records (tenant_id, seq, record, chain_hash, occurred_at, actor_id,"
        " action, target_type, target_id, data_subjects, outcome, event_id)"
        " SELECT tenant_id, 4, convert_to(replace(replace(convert_from(record, 'UTF8'),"
        " '\"seq\":3', '\"seq\":4'), 'coachee-1', 'someone-else'), 'UTF8'), chain_hash,"
        " occurred_at, actor_id, action, target_type, target_id, data_subjects, outcome,"
        " 'forged' FROM audit_records WHERE tenant_id = $1 AND seq = 3", tenant)


async def _truncate(conn: asyncpg.Connection, tenant: str) -> None:
    await conn.execute("DELETE FROM audit_records WHERE tenant_id = $1 AND seq > 6", tenant)


async def _below_one(conn: asyncpg.Connection, tenant: str) -> None:
    await conn.execute(
        "INSERT INTO audit_records SELECT tenant_id, 0, convert_to(replace(convert_from(record,"
        " 'UTF8'), 'coachee-1', 'someone-else'), 'UTF8'), chain_hash, occurred_at, actor_id,"
        " action, target_type, target_id, '{someone-else}', outcome, 'forged'"
        " FROM audit_records WHERE tenant_id = $1 AND seq = 3", tenant)


async def _checkpoint_bytes(conn: asyncpg.Connection, tenant: str) -> None:
    await conn.execute("UPDATE audit_checkpoints SET body = convert_to('{\"size\": 8', 'UTF8')"
                       " WHERE tenant_id = $1", tenant)


async def _head_back(conn: asyncpg.Connection, tenant: str) -> None:
    await conn.execute("UPDATE audit_heads SET seq = 6 WHERE tenant_id = $1", tenant)


async def _head_hash(conn: asyncpg.Connection, tenant: str) -> None:
    await conn.execute("UPDATE audit_heads SET chain_hash = $2 WHERE tenant_id = $1", tenant,
                       bytes(32))


CASES: dict[str, tuple[Tamper, int, set[str]]] = {
    "the head moved back": (_head_back, 7, {"head-changed"}),
    "the head's chain hash edited": (_head_hash, 8, {"head-changed"}),
    "a record forged at number 0": (_below_one, 0, {"inserted"}),
    "a checkpoint's signed bytes overwritten": (_checkpoint_bytes, 8, {"bad-checkpoint"}),
    "a record's bytes edited": (_change, 4, {"changed"}),
    "a record deleted": (_remove, 4, {"removed", "gap"}),
    "two records swapped": (_swap, 4, {"reordered"}),
    "a record inserted": (_insert, 4, {"inserted"}),
    "the tail truncated": (_truncate, 7, {"truncated"}),
}


@pytest.fixture
async def signed_trail(intake: list[ProjectionRunner], audit_db: asyncpg.Pool, nc, namespace,
                       tenant_id, publish) -> tuple[str, Ed25519PrivateKey]:
    await post_check_ins(nc, namespace, tenant_id, "coachee-1", 8)

    async def recorded() -> bool:
        return len(await records(audit_db, tenant_id)) == 8

    await eventually(recorded, timeout=5)
    key = Ed25519PrivateKey.generate()
    await Checkpointer(audit_db, key, publish=publish).sign_now(tenant_id, _now())
    return tenant_id, key


def _now():

    return datetime.now(UTC)


@pytest.mark.parametrize("case", list(CASES))
async def test_tampering_is_found_and_named(case: str, signed_trail, audit_db,
                                            published) -> None:
    tenant, key = signed_trail
    keys = {key_id(key.public_key()): key.public_key()}
    assert (await verify_tenant(audit_db, tenant, keys, published)).ok
    tamper, seq, kinds = CASES[case]
    async with audit_db.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await conn.execute("SET LOCAL session_replication_role = replica")  # no triggers
            await tamper(conn, tenant)
            result = await verify_on(conn, tenant, keys, await published(tenant))
        finally:
            await transaction.rollback()
    assert not result.ok
    assert result.first_failure is not None
    assert (result.first_failure.seq, result.first_failure.kind in kinds) == (seq, True), \
        result.first_failure


async def test_records_deleted_at_the_end_after_the_last_checkpoint_are_truncation(
        signed_trail, audit_db, published, nc, namespace) -> None:
    tenant, key = signed_trail
    keys = {key_id(key.public_key()): key.public_key()}
    await post_check_ins(nc, namespace, tenant, "coachee-1", 3, first=8)

    async def recorded() -> bool:
        return len(await records(audit_db, tenant)) == 11

    await eventually(recorded, timeout=5)
    assert (await verify_tenant(audit_db, tenant, keys, published)).ok  # 9..11 not signed yet
    async with audit_db.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("DELETE FROM audit_records WHERE tenant_id = $1 AND seq > 9",
                               tenant)
            result = await verify_on(conn, tenant, keys, await published(tenant))
        finally:
            await transaction.rollback()
    assert result.first_failure is not None and not result.ok
    assert (result.first_failure.seq, result.first_failure.kind) == (10, "truncated")
    assert "head says record 11 was appended last, record 9 is the last" in \
        result.first_failure.message


async def test_an_export_verifies_offline_with_only_the_public_key(
        signed_trail, audit_db, published, tmp_path, capsys) -> None:
    tenant, key = signed_trail
    lines = [line async for line in export.jsonl(audit_db, tenant, [public_jwk(key)])]
    witnessed = await published(tenant)
    verification, named = verify_export(lines, witnessed, [public_key(public_jwk(key))])
    assert verification.ok and named == tenant and verification.records_checked == 8
    assert verification.checkpoints_checked == 1

    exported, trusted = tmp_path / "trail.jsonl", tmp_path / "key.json"
    checkpoints = tmp_path / "published.jsonl"
    exported.write_bytes(b"".join(lines))
    checkpoints.write_bytes(b"".join(as_lines(witnessed)))
    trusted.write_text(json.dumps(public_jwk(key)))
    assert _export(exported, checkpoints, trusted) == 0
    forged = b"".join(lines).replace(b"succeeded", b"denied", 1)
    exported.write_bytes(forged)
    assert _export(exported, checkpoints, trusted) == 1
    assert "FAILED at record 1" in capsys.readouterr().out
    other = Ed25519PrivateKey.generate()
    exported.write_bytes(b"".join(lines))
    trusted.write_text(json.dumps(public_jwk(other)))
    assert _export(exported, checkpoints, trusted) == 1  # signed by someone else


@pytest.mark.parametrize(("edit", "line"), [
    (lambda ls: [*ls[:3], ls[3][:40] + b"\n", *ls[4:]], 4),  # a record line cut short
    (lambda ls: [*ls[:3], ls[3].replace(b'"chain_hash":"', b'"chain_hash":"zz'), *ls[4:]], 4),
    (lambda ls: [*ls[:3], ls[3].replace(b'"seq":3', b'"seq":"three"'), *ls[4:]], 4),
    (lambda ls: [*ls[:-1], ls[-1].replace(b'"body":"{', b'"body":"[')], 10),  # a checkpoint
    (lambda ls: [*ls, b"[1, 2]\n"], 11),
])
async def test_an_export_file_edited_out_of_shape_is_named_by_its_line_not_a_traceback(
        edit, line, signed_trail, audit_db, published, tmp_path, capsys) -> None:
    tenant, key = signed_trail
    lines = [line async for line in export.jsonl(audit_db, tenant, [public_jwk(key)])]
    exported, trusted = tmp_path / "trail.jsonl", tmp_path / "key.json"
    checkpoints = tmp_path / "published.jsonl"
    checkpoints.write_bytes(b"".join(as_lines(await published(tenant))))
    trusted.write_text(json.dumps(public_jwk(key)))
    exported.write_bytes(b"".join(edit(lines)))
    assert _export(exported, checkpoints, trusted) == 1
    said = capsys.readouterr().out
    assert f"FAILED: {exported} is not the export as written: line {line} " in said, said
    exported.write_bytes(b"".join(lines))
    checkpoints.write_bytes(b"not a checkpoint\n")
    assert _export(exported, checkpoints, trusted) == 1
    assert "is not a file of published checkpoints: line 1 is not JSON" in \
        capsys.readouterr().out
