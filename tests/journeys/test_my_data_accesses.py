"""Who has read my data: a coachee asks the audit trail and sees their coach's reads of their
check-ins, by name, and another coach's attempt that was refused, and nothing about anyone
else: not the coach's reads of another coachee's check-ins, not the other coachee's name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from interlude.audit.testing import RunningAudit
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import Person, RunningIdentity
from interlude.shared.testing.eventually import eventually

from .engagement.journey import active_contract, expect, propose, sign_all

ROUTE = "/v1/audit/my-data/accesses"


async def accesses(audit: RunningAudit, who: Person, **params: Any) -> dict[str, Any]:
    return await expect(await audit.client.get(ROUTE, headers=who.headers, params=params), 200)


async def test_a_coachee_sees_their_coachs_reads_and_a_refused_attempt_and_no_one_else(
        identity: RunningIdentity, engagement: RunningEngagement, audit: RunningAudit) -> None:
    cast = await active_contract(identity, engagement)
    api, path = engagement.client, f"/v1/contracts/{cast.contract_id}"
    await expect(await api.post(f"{path}/check-ins", headers=cast.coachee.headers,
                                json={"text": "a hard week"}), 201)
    # another coachee of the same coach, whose check-ins the coach reads too
    ben = await identity.member(cast.admin, "coachee", name="Ben Okafor")
    other = await propose(engagement, cast.coach, ben)
    await sign_all(engagement, other, cast.coach, ben)
    await expect(await api.post(f"/v1/contracts/{other}/check-ins", headers=ben.headers,
                                json={"text": "ben's week"}), 201)
    await expect(await api.get(f"/v1/contracts/{other}/check-ins",
                               headers=cast.coach.headers), 200)

    await expect(await api.get(f"{path}/check-ins", headers=cast.coach.headers), 200)
    await expect(await api.get(f"{path}/messages", headers=cast.coach.headers), 200)
    intruder = await identity.member(cast.admin, "coach", name="Igor Intruder")
    refused = await api.get(f"{path}/check-ins", headers=intruder.headers)
    assert refused.status_code == 404  # told there is nothing there, as before
    await expect(await api.get(f"{path}/check-ins", headers=cast.coachee.headers), 200)

    wanted = {(cast.coach.user_id, "checkins", "read"), (cast.coach.user_id, "messages", "read"),
              (intruder.user_id, "checkins", "refused")}
    found = await answered(audit, cast.coachee, lambda entries: wanted <= {
        (e["reader"]["id"], e["content"], e["outcome"]) for e in entries})
    entries = found["accesses"]
    coach_read = next(e for e in entries if e["reader"]["id"] == cast.coach.user_id
                      and e["content"] == "checkins")
    assert coach_read["reader"] == {"kind": "person", "roles": ["coach"],
                                    "id": cast.coach.user_id, "name": "Claire Coach"}
    assert (coach_read["service"], coach_read["action"], coach_read["reason"]) == (
        "engagement", "read", None)
    attempt = next(e for e in entries if e["outcome"] == "refused")
    assert attempt["reader"]["name"] == "Igor Intruder"
    assert attempt["reason"] == "not a party to the contract"
    # newest first; their own reads are not "someone reading my data"
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
    assert all(e["reader"]["id"] != cast.coachee.user_id for e in entries)
    # nothing about Ben: neither his id, his name, nor the coach's reads of his check-ins
    text = str(found)
    assert ben.user_id not in text and "Ben Okafor" not in text and other not in text
    assert len([e for e in entries if e["reader"]["id"] == cast.coach.user_id
                and e["content"] == "checkins"]) == 1

    # Ben's own answer holds the coach's read of his check-ins and nothing of Amira's
    bens = await answered(audit, ben, bool)
    assert cast.coachee.user_id not in str(bens) and "Amira" not in str(bens)
    assert all(e["outcome"] == "read" for e in bens["accesses"])

    # pages: one at a time, each entry once
    first = await accesses(audit, cast.coachee, limit=1)
    assert len(first["accesses"]) == 1 and first["next_cursor"] is not None
    second = await accesses(audit, cast.coachee, limit=1, cursor=first["next_cursor"])
    assert second["accesses"] and second["accesses"][0] != first["accesses"][0]


async def test_a_record_about_me_a_superuser_overwrote_leaves_the_rest_of_my_answer(
        identity: RunningIdentity, engagement: RunningEngagement, audit: RunningAudit) -> None:
    cast = await active_contract(identity, engagement)
    path = f"/v1/contracts/{cast.contract_id}"
    for content in ("check-ins", "messages"):
        await expect(await engagement.client.get(f"{path}/{content}",
                                                 headers=cast.coach.headers), 200)
    await answered(audit, cast.coachee, lambda entries: len(entries) >= 2)
    overwritten = await audit.admin.fetchval(  # the newest: the read of the messages
        "SELECT max(seq) FROM audit_records WHERE tenant_id = $1 AND actor_id = $2"
        " AND data_subjects @> ARRAY[$3::text]", cast.admin.tenant_id, cast.coach.user_id,
        cast.coachee.user_id)
    for data in (b"not JSON at all", b"\xff\xfe not UTF-8"):
        async with audit.admin.acquire() as conn, conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("UPDATE audit_records SET record = $3 WHERE tenant_id = $1"
                               " AND seq = $2", cast.admin.tenant_id, overwritten, data)
        left = await accesses(audit, cast.coachee)  # not a 500
        assert [e["content"] for e in left["accesses"]] == ["checkins"]


async def answered(audit: RunningAudit, who: Person,
                   enough: Callable[[list[dict[str, Any]]], bool]) -> dict[str, Any]:
    """``who``'s answer once the trail has recorded ``enough`` of it (the intake is a
    consumer: a read is in the trail a moment after it happened)."""
    found: dict[str, Any] = {}

    async def recorded() -> bool:
        found.update(await accesses(audit, who))
        return enough(found["accesses"])

    await eventually(recorded, timeout=10, what=f"the accesses {who.user_id} expects")
    return found


async def test_asking_is_for_the_signed_in_person_only(
        identity: RunningIdentity, audit: RunningAudit) -> None:
    anonymous = await audit.client.get(ROUTE)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    admin = await identity.organisation("Northwind")
    coachee = await identity.member(admin, "coachee")
    for bad in ({"limit": 0}, {"limit": 201}, {"cursor": -1}, {"limit": "many"}):
        response = await audit.client.get(ROUTE, headers=coachee.headers, params=bad)
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["type"].startswith("urn:interlude:problem:")
