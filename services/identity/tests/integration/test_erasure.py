"""Erasure: the person's key is destroyed, their account is gone, their events stay unreadable."""

from __future__ import annotations

from interlude.identity.testing import RunningIdentity
from interlude.identity.wiring import codec
from interlude.shared.eventstore.base import decode_commit
from interlude.shared.testing.eventually import eventually


async def test_a_compliance_officer_erases_a_person(identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    officer = await identity.member(admin, "compliance_officer")
    coachee = await identity.member(admin, "coachee", name="Zoe Zeta")
    org = f"/v1/organisations/{admin.tenant_id}"
    refused = await identity.client.post(f"{org}/erasures", headers=admin.headers, json={
        "subject_id": coachee.user_id, "reason": "asked by the person"})
    assert refused.status_code == 403

    done = await identity.client.post(f"{org}/erasures", headers=officer.headers, json={
        "subject_id": coachee.user_id, "reason": "asked by the person"})
    assert done.status_code == 202, done.text

    assert (await identity.sign_in_status(coachee.email)) == 401

    async def refused() -> bool:
        return (await identity.client.get("/v1/me", headers=coachee.headers)).status_code == 401

    await eventually(refused, timeout=1.0)

    async def gone() -> bool:
        response = await identity.client.get(f"{org}/users/{coachee.user_id}",
                                             headers=admin.headers)
        return response.status_code == 404

    await eventually(gone, timeout=5)
    stream = identity.platform.stream("identity")
    subject = stream.subject(admin.tenant_id, "user", coachee.user_id)
    js = identity.platform.js
    types, names = [], []
    events = codec(identity.platform)
    for seq in range(1, (await js.stream_info(stream.name)).state.last_seq + 1):
        message = await js.get_msg(stream.name, seq)
        if message.subject != subject:
            continue
        for envelope in decode_commit(message.data):
            types.append(envelope.type)
            event = await events.decode(envelope)
            if hasattr(event, "display_name"):
                names.append(event.display_name.reveal())
    assert types[-2:] == ["identity.SubjectErasureRequested", "identity.SubjectForgotten"]
    assert names == ["[erased]"]  # the invitation is still there, its name unreadable

    # the address is free again: the person may come back as someone new
    again = await identity.client.post(f"{org}/invitations", headers=admin.headers, json={
        "email": coachee.email, "display_name": "Zoe again", "roles": ["coachee"]})
    assert again.status_code == 201, again.text


async def test_people_may_erase_themselves_where_the_policy_allows(
        identity: RunningIdentity) -> None:
    admin = await identity.organisation()
    coachee = await identity.member(admin, "coachee")
    org = f"/v1/organisations/{admin.tenant_id}"
    await identity.client.patch(f"{org}/policy", headers=admin.headers, json={
        "changes": {"export.self_service": False}, "reason": "handled by the DPO"})
    refused = await identity.client.post(f"{org}/erasures", headers=coachee.headers, json={
        "subject_id": coachee.user_id, "reason": "please forget me"})
    assert refused.status_code == 403
    await identity.client.patch(f"{org}/policy", headers=admin.headers, json={
        "changes": {"export.self_service": True}, "reason": "self service again"})
    done = await identity.client.post(f"{org}/erasures", headers=coachee.headers, json={
        "subject_id": coachee.user_id, "reason": "please forget me"})
    assert done.status_code == 202, done.text
