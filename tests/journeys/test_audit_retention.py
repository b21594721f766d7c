"""A compliance officer purges the records older than the organisation's retention over HTTP:
the purge is itself in the trail, the trail still verifies on the server and as an export
offline with only the public key and the published checkpoints, and a second purge finds
nothing more to cut."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from interlude.audit.api.schemas import CheckpointLine
from interlude.audit.domain.offline import public_key, published_from, verify_export
from interlude.audit.testing import RunningAudit
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.events.envelope import Actor, Envelope
from interlude.shared.eventstore.base import encode_commit
from interlude.shared.ids import new_id
from interlude.shared.testing.eventually import eventually

LONG_AGO = datetime.now(UTC) - timedelta(days=400)


async def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


async def count(audit: RunningAudit, tenant: str) -> int:
    return int(await audit.admin.fetchval("SELECT count(*) FROM audit_records"
                                          " WHERE tenant_id = $1", tenant))


async def sessions_long_ago(audit: RunningAudit, tenant: str, n: int) -> None:
    """``n`` coaching sessions held 400 days ago, as engagement recorded them then."""
    platform = audit.platform
    for i in range(n):
        envelope = Envelope(
            event_id=new_id(), type="engagement.SessionHeld", schema_version=1,
            tenant_id=tenant, aggregate_id=f"old-{i}", occurred_at=LONG_AGO,
            actor=Actor("coach-long-gone", ("coach",)), correlation_id=new_id(),
            causation_id=None, policy_version=1, payload={"coachee_id": "coachee-long-gone"})
        subject = platform.stream("engagement").subject(tenant, "session", f"old-{i}")
        await platform.js.publish(subject, encode_commit([envelope]),
                                  headers={"Nats-Msg-Id": envelope.event_id})


async def old_trail(identity: RunningIdentity, audit: RunningAudit) -> tuple[Person, Person]:
    """An organisation whose trail starts with three sessions held 400 days ago."""
    today = [audit.intake("identity"), audit.intake("access")]
    for runner in today:  # hold today's events back until the old ones are in
        await runner.stop()
    admin = await identity.organisation("Northwind")
    officer = await identity.member(admin, "compliance_officer", name="Carla Compliance")
    await sessions_long_ago(audit, admin.tenant_id, 3)

    async def old_ones_in() -> bool:
        return await count(audit, admin.tenant_id) == 3

    await eventually(old_ones_in, timeout=5)
    for runner in today:
        await runner.start()

    async def todays_in() -> bool:
        return await count(audit, admin.tenant_id) > 3

    await eventually(todays_in, timeout=5)
    trust = audit.app.state.trust
    await eventually(lambda: trust.policy(admin.tenant_id) is not None, timeout=5)
    await audit.checkpointer.sign_now(admin.tenant_id)
    return admin, officer


async def test_an_officer_purges_past_the_retention_and_the_trail_still_verifies(
        identity: RunningIdentity, audit: RunningAudit) -> None:
    admin, officer = await old_trail(identity, audit)
    api = audit.client
    coach = await identity.member(admin, "coach")
    refused = await api.post("/v1/audit/purges", headers=coach.headers, json={"reason": "x"})
    assert refused.status_code == 403

    done = await ok(await api.post("/v1/audit/purges", headers=officer.headers,
                                   json={"reason": "retention policy, yearly run"}))
    assert (done["purged"], done["lower_bound"]) == (3, 4)
    assert done["checkpoint"]["lower_bound"] == 4 and done["checkpoint"]["size"] == done["record"]

    found = await ok(await api.get("/v1/audit/records", headers=officer.headers, params={
        "action": "audit.RetentionPurged"}))
    [mark] = found["records"]
    assert (mark["seq"], mark["actor"]["id"], mark["reason"]) == (
        done["record"], officer.user_id, "retention policy, yearly run")
    assert mark["purge"]["retention_days"] == 365 and mark["purge"]["lower_bound"] == 4
    everything = await ok(await api.get("/v1/audit/records", headers=officer.headers, params={
        "order": "oldest", "limit": "1000"}))
    assert everything["records"][0]["seq"] == 4
    assert "coach-long-gone" not in str(everything)

    verified = await ok(await api.get("/v1/audit/verify", headers=officer.headers))
    assert verified["ok"] and verified["records_checked"] >= done["record"] - 3
    assert verified["first_failure"] is None

    keys = (await ok(await api.get("/v1/audit/keys")))["keys"]
    exported = await api.get("/v1/audit/export", headers=officer.headers)
    witnessed = await api.get("/v1/audit/checkpoints", headers=officer.headers)
    assert witnessed.headers["content-type"] == "application/x-ndjson"
    assert [CheckpointLine.model_validate_json(line) for line in witnessed.content.splitlines()]
    verification, tenant = verify_export(exported.content.splitlines(),
                                         published_from(witnessed.content.splitlines()),
                                         [public_key(k) for k in keys])
    assert verification.ok and tenant == admin.tenant_id
    assert verification.records_checked >= done["record"] - 3

    again = await ok(await api.post("/v1/audit/purges", headers=officer.headers,
                                    json={"reason": "once more"}))
    assert (again["purged"], again["lower_bound"], again["record"]) == (0, 4, None)
