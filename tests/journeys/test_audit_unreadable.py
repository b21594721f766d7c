"""A superuser who overwrites a record's stored bytes with something that is no audit record
(JSON of another shape, bytes that are not UTF-8) does not take the trail away from the
compliance officer: the records (in the API and on web's audit page) still answer, showing that
record as unreadable with what is stored; both exports run to the end, one line for every
record; and the verifiers, in the service and offline, name the records."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from pydantic import TypeAdapter

from interlude.audit.api.schemas import ExportLine, OcsfLine
from interlude.audit.domain.offline import public_key, published_from, verify_export
from interlude.audit.testing import RunningAudit
from interlude.identity.testing import RunningIdentity
from interlude.shared.testing.eventually import eventually
from interlude.web.testing import running_web, signed_in_over_http

BROKEN = {2: b'{"not": "an audit record"}', 3: b"\xff\xfe not UTF-8"}


async def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response


async def test_a_record_a_superuser_overwrote_is_shown_as_unreadable_and_exports_go_on(
        identity: RunningIdentity, audit: RunningAudit) -> None:
    admin = await identity.organisation("Northwind")
    officer = await identity.member(admin, "compliance_officer", name="Carla Compliance")
    for role in ("coach", "coachee"):
        await identity.member(admin, role)
    tenant, api, headers = admin.tenant_id, audit.client, officer.headers

    async def recorded() -> int:
        return await audit.admin.fetchval(
            "SELECT count(*) FROM audit_records WHERE tenant_id = $1", tenant)

    await eventually(lambda: _at_least(recorded, 5), timeout=10)
    await audit.checkpointer.sign_now(tenant)
    async with audit.admin.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        for seq, data in BROKEN.items():
            await conn.execute("UPDATE audit_records SET record = $3 WHERE tenant_id = $1"
                               " AND seq = $2", tenant, seq, data)
    total = await recorded()

    page = (await ok(await api.get("/v1/audit/records", headers=headers,
                                   params={"order": "oldest", "limit": "1000"}))).json()
    shown = {r["seq"]: r for r in page["records"]}
    assert set(shown) >= set(range(1, total + 1))
    assert "action" in shown[1] and "unreadable" not in shown[1]
    for seq in BROKEN:
        assert f"record {seq}'s stored bytes are not an audit record" in shown[seq]["unreadable"]
    assert "an audit record" in shown[2]["stored"] and "not UTF-8" in shown[3]["stored"]

    async with running_web({"identity": identity.app, "audit": audit.app}) as web, \
            httpx.AsyncClient(base_url=web.url) as browser:
        await signed_in_over_http(browser, web, officer.email, officer.password)
        html = (await ok(await browser.get("/compliance/audit?order=oldest&limit=1000"))).text
    assert "Record 2 cannot be read" in html and "Record 3 cannot be read" in html
    assert "not an audit record" in html

    jsonl = (await ok(await api.get("/v1/audit/export?format=jsonl", headers=headers))).content
    ocsf = (await ok(await api.get("/v1/audit/export?format=ocsf", headers=headers))).content
    records = [line for line in jsonl.splitlines() if b'"type":"record"' in line]
    assert len(records) >= total and b'"type":"checkpoint"' in jsonl  # to the end
    events = [orjson.loads(line) for line in ocsf.splitlines()]
    assert [e["metadata"]["sequence"] for e in events][:total] == list(range(1, total + 1))
    lines = TypeAdapter(ExportLine | OcsfLine)
    assert all(lines.validate_json(line) for line in (*jsonl.splitlines(), *ocsf.splitlines()))
    for seq in BROKEN:
        assert "stored bytes are not an audit record" in events[seq - 1]["unmapped"]["unreadable"]

    verified = (await ok(await api.get("/v1/audit/verify", headers=headers))).json()
    assert verified["first_failure"]["seq"] == 2 and not verified["ok"]
    witnessed = await ok(await api.get("/v1/audit/checkpoints", headers=headers))
    keys = (await ok(await api.get("/v1/audit/keys"))).json()["keys"]
    offline, _ = verify_export(jsonl.splitlines(), published_from(witnessed.content.splitlines()),
                               [public_key(k) for k in keys])
    assert offline.first_failure is not None and offline.first_failure.seq == 2


async def _at_least(count: Any, n: int) -> bool:
    return await count() >= n
