"""The audit trail on the real stack: a contract signed, a check-in posted and read, a policy
block hit and a sign-in failed all show up with the right actor, subject and outcome, and no
content appears anywhere in the audit tables or exports. A superuser who edits a column and
deletes the checkpoints is caught by the server's verifier and by the offline one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter

from interlude.audit.api.schemas import ExportLine, OcsfLine
from interlude.audit.domain.offline import public_key, published_from, verify_export
from interlude.audit.testing import RunningAudit
from interlude.engagement.testing import RunningEngagement, terms
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.testing.eventually import eventually

CHECK_IN = "I dread Monday's reorganisation meeting"
MESSAGE = "Can we talk about my manager before Friday"


async def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


async def _engagement(identity: RunningIdentity, engagement: RunningEngagement,
                      admin: Person) -> tuple[Person, Person, Person, str]:
    api = engagement.client
    coach = await identity.member(admin, "coach", name="Claire Coach")
    coachee = await identity.member(admin, "coachee", name="Amira Haddad")
    sponsor = await identity.member(admin, "sponsor", name="Sam Sponsor")
    contract = await ok(await api.post("/v1/contracts", headers=coach.headers, json={
        "coachee_id": coachee.user_id, "sponsor_id": sponsor.user_id, "terms": terms()}), 201)
    path = f"/v1/contracts/{contract['id']}"
    for person in (coach, coachee, sponsor):
        await ok(await api.post(f"{path}/signatures", headers=person.headers, json={}))
    posted = await ok(await api.post(f"{path}/check-ins", headers=coachee.headers,
                                     json={"text": CHECK_IN, "mood": 2}), 201)
    await ok(await api.get(f"{path}/check-ins?after={posted['position']}",
                           headers=coach.headers))
    await ok(await identity.client.patch(
        f"/v1/organisations/{admin.tenant_id}/policy", headers=admin.headers,
        json={"changes": {"messaging.enabled": False}, "reason": "works council"}))
    trust = engagement.app.state.trust
    await eventually(lambda: trust.cache.policy_version(admin.tenant_id) == 2, timeout=5)
    blocked = await api.post(f"{path}/messages", headers=coachee.headers,
                             json={"body": MESSAGE})
    assert blocked.status_code == 403
    return coach, coachee, sponsor, contract["id"]


async def test_the_trail_shows_who_did_what_without_the_content(
        identity: RunningIdentity, engagement: RunningEngagement, audit: RunningAudit) -> None:
    admin = await identity.organisation("Northwind")
    officer = await identity.member(admin, "compliance_officer", name="Carla Compliance")
    coach, coachee, sponsor, contract_id = await _engagement(identity, engagement, admin)
    assert await identity.sign_in_status(coach.email, "not the password") == 401

    async def find(**filters: str) -> list[dict[str, Any]]:
        found = await ok(await audit.client.get("/v1/audit/records", headers=officer.headers,
                                                params={**filters, "limit": "1000"}))
        return found["records"]

    async def arrived() -> bool:
        return bool(await find(action="identity.login", outcome="denied")) and bool(
            await find(action="engagement.send_message"))

    await eventually(arrived, timeout=10)
    signed = await find(action="engagement.ContractSigned", order="oldest")
    assert [r["actor"]["id"] for r in signed] == [coach.user_id, coachee.user_id,
                                                  sponsor.user_id]
    [posted] = await find(action="engagement.CheckInPosted")
    assert posted["actor"]["id"] == coachee.user_id and posted["outcome"] == "succeeded"
    assert coachee.user_id in posted["data_subjects"]
    [read] = await find(action="engagement.read", actor=coach.user_id)
    assert read["data_subjects"] == [coachee.user_id] and read["target"]["id"] == contract_id
    [denied] = await find(action="engagement.send_message")
    assert denied["outcome"] == "denied" and denied["reason"] == "messaging.enabled"
    assert denied["actor"]["id"] == coachee.user_id and denied["policy_version"] == 2
    [failed] = await find(action="identity.login", outcome="denied")
    assert failed["actor"]["id"] == coach.user_id
    by_subject = await find(subject=coachee.user_id)
    assert {r["action"] for r in by_subject} >= {"engagement.CheckInPosted", "engagement.read"}

    await audit.checkpointer.sign_now(admin.tenant_id, _now())
    verified = await ok(await audit.client.get("/v1/audit/verify", headers=officer.headers))
    assert verified["ok"] and verified["checkpoints_checked"] == 1
    assert (await audit.client.get("/v1/audit/records", headers=coach.headers)).status_code == 403

    exports = [(await audit.client.get(f"/v1/audit/export?format={f}",
                                       headers=officer.headers)).text for f in ("jsonl", "ocsf")]
    lines = TypeAdapter(ExportLine | OcsfLine)  # as /openapi.json declares them
    for text in exports:
        assert all(lines.validate_json(line) for line in text.splitlines())
    tables = await _dump(audit)
    for secret in (CHECK_IN, MESSAGE, "Amira", "Claire", "dread", "manager"):
        for place in (*exports, tables):
            assert secret not in place

    async def queries_audited() -> bool:
        return bool(await find(action="audit.query", actor=officer.user_id))

    await eventually(queries_audited, timeout=5)
    await _tamper_and_be_caught(audit, officer, posted["seq"])


async def _tamper_and_be_caught(audit: RunningAudit, officer: Person, seq: int) -> None:
    """As the superuser, triggers off: the check-in's actor column pointed at someone else (a
    query by actor no longer finds it) and every checkpoint deleted."""
    async with audit.admin.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute("UPDATE audit_records SET actor_id = 'someone-else'"
                           " WHERE tenant_id = $1 AND seq = $2", officer.tenant_id, seq)
        await conn.execute("DELETE FROM audit_checkpoints WHERE tenant_id = $1",
                           officer.tenant_id)
    verified = await ok(await audit.client.get("/v1/audit/verify", headers=officer.headers))
    assert not verified["ok"]
    kinds = {(f["kind"], f["seq"]) for f in verified["failures"]}
    assert ("column-changed", seq) in kinds and any(k == "checkpoint-missing" for k, _ in kinds)
    assert "actor_id column" in str(verified["failures"])

    exported = await audit.client.get("/v1/audit/export", headers=officer.headers)
    witnessed = await audit.client.get("/v1/audit/checkpoints", headers=officer.headers)
    assert witnessed.status_code == 200 and witnessed.content.count(b"\n") == 1
    keys = (await ok(await audit.client.get("/v1/audit/keys")))["keys"]
    offline, _ = verify_export(exported.content.splitlines(),
                               published_from(witnessed.content.splitlines()),
                               [public_key(k) for k in keys])
    assert {f.kind for f in offline.failures} >= {"column-changed", "checkpoint-missing"}


def _now() -> datetime:
    return datetime.now(UTC)


async def _dump(audit: RunningAudit) -> str:
    """Every audit table, every column, record bytes as text: what a content search covers."""
    parts = []
    for table in ("audit_records", "audit_checkpoints", "audit_heads"):
        for row in await audit.admin.fetch(f"SELECT * FROM {table}"):
            parts.extend(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                         for v in row.values())
    return "\n".join(parts)
